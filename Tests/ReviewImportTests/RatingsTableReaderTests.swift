import Foundation
import ReviewStatistics
import Testing
import ReviewCore
@testable import ReviewImport

@Suite("Ratings table reader")
struct RatingsTableReaderTests {
    func read(_ text: String, categories: [String]? = nil) throws -> RatingTable {
        try RatingsTableReader.read(data: Data(text.utf8), path: "t.csv", categories: categories)
    }

    func error(_ text: String, categories: [String]? = nil) -> String? {
        do {
            _ = try read(text, categories: categories)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("an unquoted table: items, raters, sorted categories, empty cells missing, CRLF and blank lines")
    func unquoted() throws {
        let table = try read("item,a,b,c\r\n1,yes,no,\r\n\r\n2, no ,no,yes\n3,,,no\n")
        #expect(table.items == ["1", "2", "3"])
        #expect(table.raters == ["a", "b", "c"])
        #expect(table.categories == ["no", "yes"])
        #expect(table.codes == [1, 0, -1, 0, 0, 1, -1, -1, 0])
        #expect(table.clusters == nil)
    }

    @Test("quoted and unquoted files give identical tables")
    func quotedMatchesUnquoted() throws {
        let plain = try read("item,a,b\nx1,2,10\nx2,,1\nx3,1,2\n")
        let quoted = try read("\"item\",\"a\",b\n\"x1\",2,\"10\"\nx2,\"\",1\n\"x3\",\"1\",2\n")
        #expect(plain == quoted)
        // Numbers sort numerically, not as text.
        #expect(plain.categories == ["1", "2", "10"])
    }

    @Test("a quoted cell may hold commas, quotes and newlines; later errors still name the physical line")
    func quotedLines() throws {
        let table = try read("item,a,b\n\"x,1\",\"big, red\",\"say \"\"hi\"\"\"\n\"multi\nline\",a,b\n")
        #expect(table.items == ["x,1", "multi\nline"])
        #expect(table.categories == ["a", "b", "big, red", "say \"hi\""])
        #expect(error("item,a,b\n\"x\ny\",1,2\nz,1\n") == "t.csv:4: 2 cells, expected 3 (item + 2 raters)")
    }

    @Test("--categories fixes the set and order; a cell outside it is an error naming the line")
    func fixedCategories() throws {
        let table = try read("item,a,b\n1,low,high\n2,mid,\n", categories: ["low", "mid", "high"])
        #expect(table.categories == ["low", "mid", "high"])
        #expect(table.codes == [0, 2, 1, -1])
        #expect(error("item,a,b\n1,low,high\n2,mid,huge\n", categories: ["low", "mid", "high"])
            == "t.csv:3: \"huge\" (rater b) is not one of --categories low,mid,high")
        #expect(error("item,a,b\n1,\"low\",\"x\"\n", categories: ["low", "high"])
            == "t.csv:2: \"x\" (rater b) is not one of --categories low,high")
    }

    @Test("long category names work on both paths")
    func longCategories() throws {
        let plain = try read("item,a,b\n1,appropriate,inappropriate\n2,inappropriate,inappropriate\n")
        #expect(plain.categories == ["appropriate", "inappropriate"])
        #expect(plain.codes == [0, 1, 1, 1])
        #expect(try read("item,a,b\n\"1\",appropriate,inappropriate\n2,inappropriate,inappropriate\n") == plain)
    }

    @Test("bad inputs are one-line errors with the file and line", arguments: [
        ("", "t.csv: empty file, expected a header item,<rater>,<rater>,..."),
        ("item,a\n1,x\n", "t.csv:1: the header needs an item column and at least two rater columns, e.g. item,alice,bob"),
        ("item,a,a\n1,x,y\n", "t.csv:1: rater \"a\" appears twice in the header"),
        ("item,a,\n1,x,y\n", "t.csv:1: empty rater name in the header"),
        ("item,a,b\n", "t.csv: no rows after the header"),
        ("item,a,b\n1,x,y\n2,x\n", "t.csv:3: 2 cells, expected 3 (item + 2 raters)"),
        ("item,a,b\n1,x,y\n\n2,x,y,z\n", "t.csv:4: too many cells: the header has 3 columns (item + 2 raters)"),
        ("item,a,b\n,x,y\n", "t.csv:2: empty item id in the first column"),
        ("item,a,b\nq,x,y\nr,x,y\nq,y,y\n", "t.csv:4: duplicate item id \"q\" (first on line 2)"),
        ("item,a,b\n\"q\",x,y\nq,y,y\n", "t.csv:3: duplicate item id \"q\" (first on line 2)"),
    ])
    func badInputs(input: String, expected: String) {
        #expect(error(input) == expected)
    }

    @Test("many rows: duplicate detection survives the hash set growing")
    func manyRows() throws {
        var text = "item,a,b\n"
        for index in 0..<5000 { text += "id\(index),\(index % 3),\(index % 2)\n" }
        let table = try read(text)
        #expect(table.items.count == 5000)
        #expect(table.categories == ["0", "1", "2"])
        #expect(error(text + "id4321,0,0\n") == "t.csv:5002: duplicate item id \"id4321\" (first on line 4323)")
        // The quoted path does not pre-size the id set, so it grows many times on the way.
        let quoted = "\"item\"" + text.dropFirst(4)
        #expect(try read(quoted) == table)
        #expect(error(quoted + "id17,0,0\n") == "t.csv:5002: duplicate item id \"id17\" (first on line 19)")
    }

    @Test("invalid UTF-8 is an error on its line, in ids and in cells")
    func invalidUTF8() {
        var bytes = Data("item,a,b\n1,x,y\n2,x,".utf8)
        bytes.append(contentsOf: [0xC3, 0x28])
        bytes.append(contentsOf: Data("\n".utf8))
        #expect(throws: InputError(file: "t.csv", line: 3, "not UTF-8 text")) {
            try RatingsTableReader.read(data: bytes, path: "t.csv")
        }
        var id = Data("item,a,b\n".utf8)
        id.append(contentsOf: [0xFF])
        id.append(contentsOf: Data(",x,y\n".utf8))
        #expect(throws: InputError(file: "t.csv", line: 2, "not UTF-8 text")) {
            try RatingsTableReader.read(data: id, path: "t.csv")
        }
    }

    @Test("a missing file is an error naming it")
    func missingFile() {
        #expect(throws: InputError(file: "/nonexistent/t.csv", "no such file")) {
            try RatingsTableReader.read(path: "/nonexistent/t.csv")
        }
    }

    /// A table large enough to be read in parts (over 8 MB): categories that first appear late (one of them longer
    /// than the packed keys), blank lines and CRLF here and there.
    static func largeTable(rows: Int) -> String {
        var text = "item,first,second,third\n"
        text.reserveCapacity(rows * 48)
        for row in 0..<rows {
            let late = row > rows * 3 / 4
            let cells = (0..<3).map { rater -> String in
                let value = (row &* 31 &+ rater &* 7) % 5
                if value == 4 { return "" }
                if late && value == 3 { return rater == 2 ? "a-long-category-name" : "late" }
                return ["low", "mid", "high", "low"][value]
            }
            text += "identifier-number-\(row)," + cells.joined(separator: ",") + (row % 1000 == 7 ? "\r\n\n" : "\n")
        }
        return text
    }

    @Test("a table read in parts on the cores is the table one pass reads (the quoted path, CSV.swift, is the reference)")
    func partsGiveOnePassTable() throws {
        let text = Self.largeTable(rows: 260_000)
        #expect(text.utf8.count > 9 << 20)
        let parted = try read(text)
        // One quoted cell sends the same rows down the quoted path, which reads in one pass.
        let quoted = try read(text.replacingOccurrences(of: "item,first", with: "\"item\",first"))
        #expect(parted == quoted)
        #expect(parted.items.count == 260_000)
        #expect(parted.categories == ["a-long-category-name", "high", "late", "low", "mid"])
    }

    @Test("in parts, the error reported is the first in the file: a repeated id and a bad row in different parts")
    func partsReportTheFirstError() throws {
        // Split on the byte: a String splits "\r\n" as one character, not at its newline.
        var lines = Self.largeTable(rows: 260_000).utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        // A repeat of row 5's id (line 7) late in the file, in the last part.
        let late = lines.count - 100
        lines[late] = "identifier-number-5,low,low,low"
        let repeated = lines.joined(separator: "\n")
        let physical = late + 1
        #expect(error(repeated) == "t.csv:\(physical): duplicate item id \"identifier-number-5\" (first on line 7)")
        // A row with too many cells early, and another late: the early one is named.
        lines[12] = "identifier-x,low,low,low,low"
        lines[late + 10] = "identifier-y,low"
        #expect(error(lines.joined(separator: "\n"))?.hasPrefix("t.csv:13: too many cells") == true)
    }
}
