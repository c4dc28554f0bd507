import Foundation
import ReviewCore

/// The longest cell any CSV input may hold, checked as cells are cut (`CSVScanner`, the ratings table's byte
/// path) before a string is made of one: a hostile or broken file (a quote never closed, a 1 GiB cell) is a
/// one-line error, never gigabytes of memory.
enum CSVCellLimit {
    /// The most bytes one cell may hold: far above any response or label (the paper's longest response is a
    /// few kilobytes), far below what would hurt.
    static let maximumBytes = 1 << 20

    /// The error for a cell of `bytes` bytes that starts on `line` of `path`.
    static func tooLong(path: String, line: Int, bytes: Int) -> InputError {
        InputError(file: path, line: line, "a cell of \(bytes) bytes (or a quote never closed); at most \(maximumBytes) bytes are read in one cell")
    }
}
