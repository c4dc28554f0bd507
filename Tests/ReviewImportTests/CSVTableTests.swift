import Foundation
import Testing
@testable import ReviewCore
@testable import ReviewImport

@Suite("CSV reading with physical line numbers")
struct CSVTableTests {
    func table(_ text: String) throws -> CSVTable {
        try CSVTable.parse(SourceText(path: "t.csv", text: text))
    }

    @Test("a quoted field spanning lines moves the next record's line; doubled quotes become one")
    func physicalLines() throws {
        let table = try table(Fixtures.annotatedCSV())
        #expect(table.records.map(\.line) == [2, 5, 6])
        #expect(table.records[0].fields[8] == "She said \"slow down\"\nand then\nwe talked.")
        #expect(table.header.count == 12)
    }

    @Test("CRLF files and blank lines keep physical numbering")
    func crlfAndBlankLines() throws {
        #expect(try table(Fixtures.liveBotCSV).records.map(\.line) == [2, 4])
        #expect(try table("a,b\n\n1,2\n\n\n3,4").records.map(\.line) == [3, 6])
    }

    @Test("a ragged row is an error on its physical line")
    func ragged() {
        #expect(throws: InputError(file: "t.csv", line: 4, "not CSV: this row has 2 fields, the header has 3")) {
            try table("a,b,c\n\"x\ny\",2,3\n4,5\n")
        }
    }

    @Test("an unbalanced quote names the record it starts in")
    func unbalancedQuote() throws {
        let error = #expect(throws: InputError.self) { try table("a,b\n1,2\n\"3,4\n5,6\n") }
        #expect(error?.line == 3)
        #expect(error?.message.contains("unbalanced double quote") == true)
    }

    @Test("header without rows, and a repeated column, are errors")
    func headerProblems() {
        #expect(throws: InputError(file: "t.csv", line: 1, "no rows after the header")) { try table("a,b\n") }
        #expect(throws: InputError(file: "t.csv", line: 1, "column \"a\" appears twice in the header")) { try table("a,a\n1,2\n") }
    }
}
