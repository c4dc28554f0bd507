import Foundation
import ReviewStatistics
import ReviewCore

/// A CSV file parsed (RFC 4180, `CSVScanner`), each record tagged with the physical line it starts on.
struct CSVTable {
    /// One data record and the 1-based physical line its first character is on.
    struct Record {
        var line: Int
        var fields: [String]
    }

    /// Column names from the first record.
    var header: [String]
    /// Data records in file order; blank lines are left out.
    var records: [Record]

    /// Parses `source`; a ragged record, an unbalanced quote or a duplicate column name is an error naming the line.
    static func parse(_ source: SourceText) throws -> CSVTable {
        var all: [Record] = []
        let quotes = try CSVScanner.scan(source.text, path: source.path) { line, fields in
            if fields == [""] { return }  // a blank line, not a record
            all.append(Record(line: line, fields: fields))
        }
        if quotes % 2 == 1 { try checkQuotesBalanced(source, records: all) }
        guard let headerRecord = all.first else {
            throw InputError(file: source.path, "empty file, expected a header row")
        }
        let header = headerRecord.fields.map { $0.trimmedOfWhitespace }
        var seen: Set<String> = []
        for name in header where !seen.insert(name).inserted {
            throw InputError(file: source.path, line: headerRecord.line, "column \"\(name)\" appears twice in the header")
        }
        let records = Array(all.dropFirst())
        for record in records where record.fields.count != header.count {
            throw InputError(
                file: source.path, line: record.line,
                "not CSV: this row has \(record.fields.count) fields, the header has \(header.count)")
        }
        if records.isEmpty {
            throw InputError(file: source.path, line: headerRecord.line, "no rows after the header")
        }
        return CSVTable(header: header, records: records)
    }

    /// An odd number of double quotes means a quoted field is never closed (it then runs to the end of the
    /// file) or a quote sits inside an unquoted field; name the first record whose own quotes do not pair up.
    private static func checkQuotesBalanced(_ source: SourceText, records: [Record]) throws {
        var quotesPerLine: [Int] = [0]
        for byte in source.text.utf8 {
            if byte == 0x0A { quotesPerLine.append(0) } else if byte == 0x22 { quotesPerLine[quotesPerLine.count - 1] += 1 }
        }
        let starts = records.map(\.line) + [quotesPerLine.count + 1]
        var culprit = records.last?.line ?? 1
        for (index, start) in starts.dropLast().enumerated() {
            let end = min(starts[index + 1], quotesPerLine.count + 1)
            let quotes = quotesPerLine[(start - 1)..<(end - 1)].reduce(0, +)
            if quotes % 2 == 1 { culprit = start; break }
        }
        throw InputError(
            file: source.path, line: culprit,
            "not CSV: unbalanced double quote (a quoted field is never closed, or a quote sits in an unquoted field)")
    }
}
