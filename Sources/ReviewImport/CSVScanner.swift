import Foundation
import ReviewCore

/// The project's one RFC 4180 reader: the records of a CSV file's UTF-8 bytes, each with the physical line it
/// starts on, in one pass over the bytes.
///
/// A field is cut from the buffer when it ends and made a `String` once (doubled quotes are undone only in the
/// fields that have them; a column's repeated cells are one string, `CSVCellInterner`). Records end at LF, CRLF or a lone CR outside quotes. A field that opens with a quote runs
/// to the quote that closes it, which must be followed by a comma, a line end or the end of the file; anything else
/// is an error naming the line (it means a quote inside a quoted field that was not doubled). A quote inside an
/// unquoted field is kept as it is. A quoted field still open at the end of the file ends there: the scan returns
/// the file's number of quotes, and an odd number tells the caller so. No field may be longer than
/// `CSVCellLimit.maximumBytes` (an error naming the line it starts on).
///
/// It gives the fields yaslab/CSV.swift gives for every well-formed file (`CSVScannerTests` compares the two on
/// generated files), at the speed of the bytes: CSV.swift appends one Unicode scalar at a time and took 8 of the 28
/// seconds of a million-row import.
enum CSVScanner {
    private static let quote: UInt8 = 0x22
    private static let comma: UInt8 = 0x2C
    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D

    /// Calls `record` with each record's first physical line (1-based) and its fields, in file order; returns the
    /// number of double quotes in the file. `path` is only used in errors.
    @discardableResult
    static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, path: String,
        record: (_ line: Int, _ fields: [String]) throws -> Void
    ) throws -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let end = bytes.count
        var index = 0
        var line = 1
        var quotes = 0
        var fields: [String] = []
        var unescaped: [UInt8] = []
        var interner = CSVCellInterner()

        /// Whether the byte at `position` ends a physical line (an LF, or a CR not followed by one).
        @inline(__always) func endsLine(_ position: Int) -> Bool {
            let byte = base[position]
            return byte == lineFeed || (byte == carriageReturn && (position + 1 == end || base[position + 1] != lineFeed))
        }
        @inline(__always) func text(_ start: Int, _ stop: Int) -> String {
            interner.text(UnsafeBufferPointer(start: base + start, count: stop - start), column: fields.count)
        }
        @inline(__always) func checkLength(_ start: Int, _ stop: Int, line: Int) throws {
            if stop - start > CSVCellLimit.maximumBytes {
                throw CSVCellLimit.tooLong(path: path, line: line, bytes: stop - start)
            }
        }

        while index < end {
            let recordLine = line
            fields = []
            fields.reserveCapacity(16)
            fieldLoop: while true {
                let fieldStart = index
                let fieldLine = line
                if index < end, base[index] == quote {
                    quotes += 1
                    index += 1
                    var start = index
                    var escaped = false
                    var closed = false
                    while index < end {
                        let byte = base[index]
                        if byte == quote {
                            quotes += 1
                            if index + 1 < end, base[index + 1] == quote {
                                if !escaped { unescaped.removeAll(keepingCapacity: true) }
                                escaped = true
                                unescaped.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index + 1 - start))
                                quotes += 1
                                index += 2
                                start = index
                                continue
                            }
                            closed = true
                            break
                        }
                        if byte == lineFeed || byte == carriageReturn, endsLine(index) { line += 1 }
                        index += 1
                        if index - fieldStart > CSVCellLimit.maximumBytes { try checkLength(fieldStart, index, line: fieldLine) }
                    }
                    if escaped {
                        unescaped.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index - start))
                        fields.append(String(decoding: unescaped, as: UTF8.self))
                    } else {
                        fields.append(text(start, index))
                    }
                    guard closed else { break fieldLoop }  // the end of the file inside quotes
                    index += 1
                    guard index < end else { break fieldLoop }
                    switch base[index] {
                    case comma:
                        index += 1
                        continue fieldLoop
                    case lineFeed:
                        index += 1
                        line += 1
                        break fieldLoop
                    case carriageReturn:
                        index += 1
                        if index < end, base[index] == lineFeed { index += 1 }
                        line += 1
                        break fieldLoop
                    default:
                        throw InputError(
                            file: path, line: line,
                            "not CSV: a quoted field's closing quote is followed by more text (a quote inside quotes is written twice: \"\")")
                    }
                } else {
                    while index < end {
                        let byte = base[index]
                        if byte == comma || byte == lineFeed || byte == carriageReturn { break }
                        if byte == quote { quotes += 1 }
                        index += 1
                    }
                    try checkLength(fieldStart, index, line: fieldLine)
                    fields.append(text(fieldStart, index))
                    guard index < end else { break fieldLoop }
                    let byte = base[index]
                    index += 1
                    if byte == comma { continue fieldLoop }
                    if byte == carriageReturn, index < end, base[index] == lineFeed { index += 1 }
                    line += 1
                    break fieldLoop
                }
            }
            try record(recordLine, fields)
        }
        return quotes
    }

    /// `scan` over a string's UTF-8 bytes, in place.
    @discardableResult
    static func scan(_ text: String, path: String, record: (_ line: Int, _ fields: [String]) throws -> Void) throws -> Int {
        var text = text
        return try text.withUTF8 { try scan($0, path: path, record: record) }
    }
}

/// Repeated cells of a column made one string: a results file repeats a handful of conditions, stimuli,
/// questions and options over a million rows, and one string each (shared by every item that keeps it) is far
/// less memory and allocation than a million copies. Short cells are inline strings already; long ones are
/// rarely repeated; a column whose cells mostly differ stops being looked up.
struct CSVCellInterner {
    /// Cells of these lengths (bytes) are looked up.
    static let interned = 16...512
    /// Distinct cells kept a column.
    static let capacity = 64
    /// Lookups after which a column that found fewer than half its cells stops looking.
    static let trial = 4_096

    private struct Column {
        var hashes: [UInt64] = []
        var texts: [String] = []
        var lookups = 0
        var hits = 0
        var active = true
    }

    private var columns: [Column] = []

    /// The string of `bytes`, the column's earlier one when it met the same bytes.
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>, column: Int) -> String {
        guard Self.interned.contains(bytes.count) else { return String(decoding: bytes, as: UTF8.self) }
        while columns.count <= column { columns.append(Column()) }
        guard columns[column].active else { return String(decoding: bytes, as: UTF8.self) }
        columns[column].lookups += 1
        let hash = StableHash.fnv1a(bytes)
        for (index, known) in columns[column].hashes.enumerated() where known == hash {
            var text = columns[column].texts[index]
            let same = text.withUTF8 { known in
                guard let knownBase = known.baseAddress, let base = bytes.baseAddress, known.count == bytes.count else { return false }
                return memcmp(knownBase, base, bytes.count) == 0
            }
            if same {
                columns[column].hits += 1
                return text
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if columns[column].texts.count < Self.capacity {
            columns[column].hashes.append(hash)
            columns[column].texts.append(text)
        }
        if columns[column].lookups == Self.trial, columns[column].hits * 2 < Self.trial {
            columns[column] = Column(active: false)
        }
        return text
    }
}
