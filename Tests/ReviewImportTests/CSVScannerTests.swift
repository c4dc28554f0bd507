import CSV
import Foundation
import ReviewStatistics
import Testing
@testable import ReviewCore
@testable import ReviewImport

/// The import's RFC 4180 reader against yaslab/CSV.swift, the maintained reader it replaced for speed.
@Suite("CSV scanner: the fields CSV.swift reads, with physical lines")
struct CSVScannerTests {
    /// A generated file, the records written into it and the physical line each starts on.
    struct Generated {
        var text = ""
        var records: [[String]] = []
        var lines: [Int] = []
    }

    /// A random well-formed CSV file: fields with commas, quotes, every line ending and non-ASCII text, quoted
    /// when they must be (and sometimes when they need not), unquoted fields with a quote inside, empty fields,
    /// rows of different lengths, LF, CRLF and lone-CR record ends, with or without a last one.
    static func generate(_ random: inout SplitMix64) -> Generated {
        let pieces = ["a", "b", "xyz", " ", "é", "😀", ",", "\"", "\n", "\r\n", "\r", "\t", "0", "yes", "no", "long text here"]
        let endings = ["\n", "\r\n", "\r"]
        var generated = Generated()
        var line = 1
        let rows = Int.random(in: 1...12, using: &random)
        for row in 0..<rows {
            generated.lines.append(line)
            var fields: [String] = []
            let count = Int.random(in: 1...5, using: &random)
            for index in 0..<count {
                var field = ""
                for _ in 0..<Int.random(in: 0...6, using: &random) { field += pieces.randomElement(using: &random) ?? "" }
                let special = field.contains { $0 == "," || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
                let startsWithQuote = field.hasPrefix("\"")
                // A lone empty field is a blank line to both readers only when it is quoted; quote it always.
                let mustQuote = special || startsWithQuote || (count == 1 && field.isEmpty)
                let quoted = mustQuote || Bool.random(using: &random)
                fields.append(field)
                if index > 0 { generated.text += "," }
                if quoted {
                    generated.text += "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                } else {
                    generated.text += field
                }
                line += Self.lineBreaks(in: field)
            }
            generated.records.append(fields)
            if row < rows - 1 || Bool.random(using: &random) {
                generated.text += endings.randomElement(using: &random) ?? "\n"
                line += 1
            }
        }
        return generated
    }

    /// Physical line breaks in `text`: each LF, CRLF or lone CR.
    static func lineBreaks(in text: String) -> Int {
        let bytes = Array(text.utf8)
        var count = 0
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A || (byte == 0x0D && (index + 1 == bytes.count || bytes[index + 1] != 0x0A)) { count += 1 }
        }
        return count
    }

    static func scanned(_ text: String) throws -> (records: [[String]], lines: [Int], quotes: Int) {
        var records: [[String]] = []
        var lines: [Int] = []
        let quotes = try CSVScanner.scan(text, path: "t.csv") { line, fields in
            records.append(fields)
            lines.append(line)
        }
        return (records, lines, quotes)
    }

    static func csvSwift(_ text: String) throws -> [[String]] {
        let reader = try CSVReader(string: text, hasHeaderRow: false)
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }

    @Test("2,000 generated files: the same records as CSV.swift, the lines they were written on, every quote counted")
    func matchesCSVSwift() throws {
        var random = SplitMix64(seed: 20_261_207)
        for _ in 0..<2_000 {
            let generated = Self.generate(&random)
            let scan = try Self.scanned(generated.text)
            #expect(scan.records == generated.records, "\(generated.text.debugDescription)")
            #expect(try Self.csvSwift(generated.text) == scan.records, "\(generated.text.debugDescription)")
            #expect(scan.lines == generated.lines, "\(generated.text.debugDescription)")
            #expect(scan.quotes == generated.text.utf8.filter { $0 == 0x22 }.count)
        }
    }

    @Test("repeated cells are shared and distinct ones are not: the values of a long file are CSV.swift's, past the interner's capacity and trial")
    func repeatedCells() throws {
        var random = SplitMix64(seed: 7)
        let repeated = (0..<(CSVCellInterner.capacity + 20)).map { "a repeated stimulus text \($0)" }
        var text = "id,stimulus,response\n"
        for row in 0..<(CSVCellInterner.trial * 2) {
            let stimulus = repeated[Int.random(in: 0..<(row < CSVCellInterner.trial ? 4 : repeated.count), using: &random)]
            text += "\(row),\"\(stimulus)\",a distinct response number \(row) \(UInt64.random(in: 0...UInt64.max, using: &random))\n"
        }
        let scan = try Self.scanned(text)
        #expect(scan.records == (try Self.csvSwift(text)))
        #expect(scan.records.count == CSVCellInterner.trial * 2 + 1)
    }

    @Test("edge cases read as CSV.swift reads them: empty input, a last empty field, blank lines, quotes in unquoted text")
    func edges() throws {
        for text in ["", "\n", "a,", "a,\n", ",", "\"\"", "a,\"\"\r\n\r\nb", "ab\"c,d\n", "\"x\"\r\"y\"", "a\r\rb", "\"\",\"\""] {
            #expect(try Self.scanned(text).records == Self.csvSwift(text), "\(text.debugDescription)")
        }
    }

    @Test("a closing quote followed by text is an error on its line (CSV.swift would drop a character)")
    func textAfterClosingQuote() {
        #expect(throws: InputError(
            file: "t.csv", line: 4,
            "not CSV: a quoted field's closing quote is followed by more text (a quote inside quotes is written twice: \"\")"
        )) { try Self.scanned("a,b\n\"x\ny\",2\n\"q\"r,3\n") }
    }

    @Test("a quote never closed runs to the end of the file and leaves an odd count; a cell over the limit names its line")
    func unclosedAndLimit() throws {
        let open = try Self.scanned("a,b\n1,\"2\n3,4\n")
        #expect(open.records == [["a", "b"], ["1", "2\n3,4\n"]])
        #expect(open.quotes % 2 == 1)
        let huge = "a\n" + "\"" + String(repeating: "x\n", count: CSVCellLimit.maximumBytes / 2 + 1) + "\"\n"
        #expect(throws: CSVCellLimit.tooLong(path: "t.csv", line: 2, bytes: CSVCellLimit.maximumBytes + 1)) {
            try Self.scanned(huge)
        }
        let hugeUnquoted = "a\nb\n" + String(repeating: "y", count: CSVCellLimit.maximumBytes + 5) + "\n"
        #expect(throws: CSVCellLimit.tooLong(path: "t.csv", line: 3, bytes: CSVCellLimit.maximumBytes + 5)) {
            try Self.scanned(hugeUnquoted)
        }
    }
}
