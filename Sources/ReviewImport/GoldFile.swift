import Foundation
import ReviewStatistics
import ReviewCore

/// A calibration file for `assign --gold`: a CSV with columns `id` and `answer` (one known answer per item).
public enum GoldFile {
    /// The file's items and answers; a missing column, a blank cell or an id twice is an error naming the line.
    public static func read(path: String) throws -> [RaterAssignment.GoldItem] {
        let table = try CSVTable.parse(try SourceText.read(path: path))
        guard let idColumn = table.header.firstIndex(of: "id"), let answerColumn = table.header.firstIndex(of: "answer") else {
            throw InputError(file: path, line: 1, "a gold file needs columns id and answer (found \(table.header.map { "\"\(TextSanitizer.singleLine($0))\"" }.joined(separator: ", ")))")
        }
        var seen: [String: Int] = [:]
        var items: [RaterAssignment.GoldItem] = []
        for record in table.records {
            let id = record.fields[idColumn].trimmedOfWhitespace
            guard !id.isEmpty, let answer = AnswerNormalizer.normalize(record.fields[answerColumn]) else {
                throw InputError(file: path, line: record.line, "a gold row needs an id and an answer")
            }
            if let first = seen[id] { throw InputError(file: path, line: record.line, "item \(TextSanitizer.singleLine(id)) again (first on line \(first))") }
            seen[id] = record.line
            items.append(RaterAssignment.GoldItem(id: id, answer: answer))
        }
        return items
    }
}
