import Foundation
import ReviewCore

/// One input file read into items, before ids are made unique across files.
struct ParsedFile {
    var path: String
    var layout: SourceLayout
    var subject: SubjectSettings?
    var entries: [ParsedEntry]
    /// Rows left out, e.g. a key seen twice in the file.
    var skipped: [SkipNote]
}

/// Reads one input file of any supported layout.
enum SourceFileReader {
    static func read(path: String, modelOverride: String?, steelmanOverride: Bool?) throws -> ParsedFile {
        let source = try SourceText.read(path: path)
        if source.looksLikeJSONLines {
            return try readJSONLines(source, modelOverride: modelOverride, steelmanOverride: steelmanOverride)
        }
        let table = try CSVTable.parse(source)
        let layout = try SourceLayout.detect(columns: table.header, format: .csv, file: path, line: 1)
        guard case .paperRows(let columns) = layout else {
            throw InputError(file: path, line: 1, "a canonical dataset must be JSONL, not CSV")
        }
        let rows = table.records.map { record in
            SourceRow(
                file: path, line: record.line,
                values: Dictionary(uniqueKeysWithValues: zip(table.header, record.fields.map { FieldValue.text($0) })))
        }
        return try mapPaperRows(rows, path: path, columns: columns, modelOverride: modelOverride, steelmanOverride: steelmanOverride)
    }

    private static func readJSONLines(_ source: SourceText, modelOverride: String?, steelmanOverride: Bool?) throws -> ParsedFile {
        let strict = JSONDecoder()
        let lenient = JSONDecoder()
        lenient.allowsJSON5 = true  // Python's json.dumps writes NaN for missing numbers
        var rows: [SourceRow] = []
        for (number, line) in JSONLines.lines(of: source.text) {
            let data = Data(line.utf8)
            if let key = DuplicateKeyScanner.firstDuplicate(in: data) {
                throw InputError(file: source.path, line: number, "the key \"\(key)\" appears twice in one object; which value is meant is unclear, keep one")
            }
            let value: FieldValue
            do {
                value = try strict.decode(FieldValue.self, from: data)
            } catch {
                guard let relaxed = try? lenient.decode(FieldValue.self, from: data) else {
                    throw InputError(file: source.path, line: number, "not JSON: \(JSONLines.describe(error)), expected one JSON object per line")
                }
                value = relaxed
            }
            guard case .object(let fields) = value else {
                throw InputError(file: source.path, line: number, "not a JSON object (found \(value.kindName)), expected one object per line")
            }
            rows.append(SourceRow(file: source.path, line: number, values: fields))
        }
        guard let first = rows.first else {
            throw InputError(file: source.path, "empty file, expected one JSON object per line")
        }
        // The first object decides between canonical and paper rows; for paper rows every key seen on any
        // line counts, so a human column that starts further down is not missed.
        var layout = try SourceLayout.detect(columns: first.values.keys.sorted(), format: .jsonLines, file: source.path, line: first.line)
        if layout != .canonicalDataset {
            let allKeys = Set(rows.flatMap(\.values.keys)).sorted()
            layout = try SourceLayout.detect(columns: allKeys, format: .jsonLines, file: source.path, line: first.line)
        }
        switch layout {
        case .canonicalDataset:
            let dataset = try Dataset.read(from: URL(fileURLWithPath: source.path), followLinks: true)
            let entries = zip(dataset.items, rows).map { ParsedEntry(item: $0, line: $1.line, humanAnswers: []) }
            return ParsedFile(path: source.path, layout: layout, subject: nil, entries: entries, skipped: [])
        case .paperRows(let columns):
            return try mapPaperRows(rows, path: source.path, columns: columns, modelOverride: modelOverride, steelmanOverride: steelmanOverride)
        }
    }

    private static func mapPaperRows(
        _ rows: [SourceRow], path: String, columns: PaperColumns, modelOverride: String?, steelmanOverride: Bool?
    ) throws -> ParsedFile {
        let subject = SubjectSettings.fromFileName(path, stimulusIDLayout: columns.idColumn != "key")
            .overridden(model: modelOverride, steelman: steelmanOverride)
        let mapper = PaperRowMapper(columns: columns, subject: subject)
        var entries: [ParsedEntry] = []
        var skipped: [SkipNote] = []
        var firstLine: [String: Int] = [:]
        for row in rows {
            let entry = try mapper.entry(from: row)
            if let first = firstLine[entry.item.id] {
                let reason = columns.idColumn == "key"
                    ? "duplicate key \"\(entry.item.id)\" (first on line \(first))"
                    : "same content as line \(first)"
                skipped.append(SkipNote(file: path, line: row.line, kind: .row, reason: reason))
                continue
            }
            firstLine[entry.item.id] = row.line
            entries.append(entry)
        }
        return ParsedFile(path: path, layout: .paperRows(columns), subject: subject, entries: entries, skipped: skipped)
    }
}

/// A row or cell left out of the import, with where it is and why.
public struct SkipNote: CustomStringConvertible, Equatable, Sendable {
    /// Whether a whole row or only one cell (a human answer) was left out.
    public enum Kind: String, Sendable {
        /// The whole row (e.g. a key seen twice in one file).
        case row
        /// One human answer cell (e.g. an answer that is not an option).
        case cell
    }

    /// The file as given on the command line.
    public var file: String
    /// The physical line the row starts on.
    public var line: Int
    /// Row or cell.
    public var kind: Kind
    /// Why it was left out.
    public var reason: String

    /// `file:line: row skipped: reason`.
    public var description: String { "\(file):\(line): \(kind.rawValue) skipped: \(reason)" }
}
