import Foundation
import ReviewCore

/// The longest cell any CSV input may hold, checked by one pass over the bytes before a parser builds a string
/// of it: a hostile or broken file (a quote never closed, a 1 GiB cell) is a one-line error at once, never minutes
/// of parsing and gigabytes of memory.
enum CSVCellLimit {
    /// The most bytes one cell may hold: far above any response or label (the paper's longest response is a
    /// few kilobytes), far below what would hurt.
    static let maximumBytes = 1 << 20

    /// Throws an `InputError` naming the line where the first cell longer than `maximumBytes` starts.
    static func check(_ data: Data, path: String) throws {
        try data.withUnsafeBytes { try check($0, path: path) }
    }

    /// `check` for text already read (the string's UTF-8 bytes, in place).
    static func check(_ text: String, path: String) throws {
        var text = text
        try text.withUTF8 { try check(UnsafeRawBufferPointer($0), path: path) }
    }

    /// The scan: cells end at a comma or line feed outside quotes.
    private static func check(_ raw: UnsafeRawBufferPointer, path: String) throws {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var inQuotes = false
        var cellStart = 0
        var cellLine = 1
        var line = 1
        var index = 0
        let end = raw.count
        while index < end {
            let byte = base[index]
            if byte == 0x22 {
                // A doubled quote inside quotes is a literal quote: toggling twice keeps the state.
                inQuotes.toggle()
            } else if !inQuotes && (byte == 0x2C || byte == 0x0A) {
                if index - cellStart > maximumBytes { throw tooLong(path: path, line: cellLine, bytes: index - cellStart) }
                cellStart = index + 1
                cellLine = byte == 0x0A ? line + 1 : line
            }
            if byte == 0x0A { line += 1 }
            index += 1
        }
        if end - cellStart > maximumBytes { throw tooLong(path: path, line: cellLine, bytes: end - cellStart) }
    }

    static func tooLong(path: String, line: Int, bytes: Int) -> InputError {
        InputError(file: path, line: line, "a cell of \(bytes) bytes (or a quote never closed); at most \(maximumBytes) bytes are read in one cell")
    }
}
