import Foundation
import ReviewCore
import ReviewStatistics

/// One input file read into items, before ids are made unique across files.
struct ParsedFile {
    var path: String
    var layout: SourceLayout
    var subject: SubjectSettings?
    var entries: [ParsedEntry]
    /// Rows left out, e.g. a key seen twice in the file.
    var skipped: [SkipNote]
    /// Whether the rows come from a combined file (rows of several runs, each naming its model), to be matched
    /// to the runs they repeat (`CombinedRows`).
    var combined = false
}

/// Reads one input file of any supported layout.
enum SourceFileReader {
    static func read(path: String, request: ImportRequest) throws -> ParsedFile {
        let (modelOverride, steelmanOverride, map, scorer, judgeColumn) = (request.model, request.steelman, request.columnMap, request.scorer, request.judgeColumn)
        if path.lowercased().hasSuffix(".eval") { throw InspectLog.evalArchiveError(path) }
        let source = try SourceText.read(path: path)
        if map == nil, InspectLog.looksLikeLog(source) {
            return try InspectLog.read(source, scorer: scorer, modelOverride: modelOverride, steelmanOverride: steelmanOverride)
        }
        if let map {
            let rows = source.looksLikeJSONLines ? try jsonRows(source) : try csvRows(source)
            return try mapRows(rows, path: path, map: map, format: source.looksLikeJSONLines ? .jsonLines : .csv,
                               modelOverride: modelOverride, steelmanOverride: steelmanOverride)
        }
        if source.looksLikeJSONLines {
            return try readJSONLines(source, request: request)
        }
        var table = try CSVTable.parse(source)
        let layout = try SourceLayout.detect(columns: table.header, format: .csv, file: path, line: 1, judgeColumn: judgeColumn)
        let header = SourceColumns(table.header)
        @Sendable func row(_ record: CSVTable.Record) -> SourceRow {
            SourceRow(file: path, line: record.line, columns: header, cells: record.fields.map { FieldValue.text($0) })
        }
        if layout == .stigmaRows { return try StigmaRows.read(table.records.map(row), path: path, request: request) }
        guard case .paperRows(let columns) = layout else {
            throw InputError(file: path, line: 1, "a canonical dataset must be JSONL, not CSV")
        }
        // A chunk of records at a time becomes rows, then items, on the cores, and is let go: at a million rows the
        // records and their rows (a dictionary each) held all at once were a gigabyte beside the items.
        var pending = Array(table.records.reversed())
        table.records = []
        return try mapPaperRows(path: path, columns: columns, modelOverride: modelOverride, steelmanOverride: steelmanOverride) { mapper in
            var entries: [ParsedEntry] = []
            entries.reserveCapacity(pending.count)
            while !pending.isEmpty {
                var chunk: [CSVTable.Record] = []
                chunk.reserveCapacity(min(pending.count, Self.mappingChunk))
                while chunk.count < Self.mappingChunk, let record = pending.popLast() { chunk.append(record) }
                let parts = ParallelWork.parts(for: chunk.count, minimum: 2_000)
                let (columns, subject, records) = (mapper.columns, mapper.subject, chunk)
                let results = ParallelWork.map(parts: parts) { part -> Result<[ParsedEntry], any Error> in
                    // A mapper a part: its criteria memo is its own.
                    let partMapper = PaperRowMapper(columns: columns, subject: subject)
                    let range = (records.count * part / parts)..<(records.count * (part + 1) / parts)
                    return Result { try range.map { try partMapper.entry(from: row(records[$0])) } }
                }
                // Parts in file order: the first that failed holds the first error in the file.
                for result in results { entries.append(contentsOf: try result.get()) }
            }
            return entries
        }
    }

    /// Records mapped on the cores at a time: enough to keep both busy, few enough to stay small beside the items.
    static let mappingChunk = 16_384

    /// A CSV file's records as rows keyed by its header.
    private static func csvRows(_ source: SourceText) throws -> [SourceRow] {
        let table = try CSVTable.parse(source)
        let columns = SourceColumns(table.header)
        return table.records.map { record in
            SourceRow(file: source.path, line: record.line, columns: columns, cells: record.fields.map { FieldValue.text($0) })
        }
    }

    /// Rows of a mapped source through its `ColumnMap`; every mapped column must be in some row.
    private static func mapRows(
        _ rows: [SourceRow], path: String, map: ColumnMap, format: PaperColumns.Format, modelOverride: String?,
        steelmanOverride: Bool?
    ) throws -> ParsedFile {
        guard let first = rows.first else { throw InputError(file: path, "no rows") }
        let available = Set(rows.flatMap(\.fieldNames)).sorted()
        // A CSV's columns are its header, line 1; a JSONL's, the first object's line.
        try map.check(against: available, file: path, line: format == .csv ? 1 : first.line) { column in
            rows.contains { $0.lookup(column) != nil }
        }
        let subject = try SubjectSettings.forFile(path, stimulusIDLayout: true)
            .overridden(model: modelOverride, steelman: steelmanOverride)
        let mapper = MappedRowMapper(map: map, subject: subject, defaultJudgeName: map.columns[.judge] ?? "judge")
        return try uniqueEntries(rows.map(mapper.entry), path: path, layout: .mapped(format), subject: subject,
                                 duplicateReason: { entry, first in "duplicate id \"\(entry.item.id)\" (first on line \(first))" })
    }

    /// The entries with the first of each id kept and the rest noted as skipped rows.
    static func uniqueEntries(
        _ all: [ParsedEntry], path: String, layout: SourceLayout, subject: SubjectSettings?,
        duplicateReason: (ParsedEntry, Int) -> String
    ) -> ParsedFile {
        var entries: [ParsedEntry] = []
        var skipped: [SkipNote] = []
        var firstLine: [String: Int] = [:]
        firstLine.reserveCapacity(all.count)
        for entry in all {
            if let first = firstLine[entry.item.id] {
                skipped.append(SkipNote(file: path, line: entry.line, kind: .row, reason: duplicateReason(entry, first)))
                continue
            }
            firstLine[entry.item.id] = entry.line
            entries.append(entry)
        }
        return ParsedFile(path: path, layout: layout, subject: subject, entries: entries, skipped: skipped)
    }

    /// A JSON-lines file's objects as rows (Python's NaN accepted); a duplicate key or a non-object is an error.
    private static func jsonRows(_ source: SourceText) throws -> [SourceRow] {
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
        return rows
    }

    private static func readJSONLines(_ source: SourceText, request: ImportRequest) throws -> ParsedFile {
        let (modelOverride, steelmanOverride, judgeColumn) = (request.model, request.steelman, request.judgeColumn)
        let rows = try jsonRows(source)
        guard let first = rows.first else {
            throw InputError(file: source.path, "empty file, expected one JSON object per line")
        }
        // The first object decides between canonical and paper rows; for paper rows every key seen on any
        // line counts, so a human column that starts further down is not missed.
        let layout = SourceLayout.canonicalFields.allSatisfy(first.fieldNames.contains) ? .canonicalDataset
            : try SourceLayout.detect(columns: Set(rows.flatMap(\.fieldNames)).sorted(), format: .jsonLines, file: source.path,
                                      line: first.line, judgeColumn: judgeColumn)
        if layout == .stigmaRows { return try StigmaRows.read(rows, path: source.path, request: request) }
        if case .paperRows(let columns) = layout {
            return try mapPaperRows(rows, path: source.path, columns: columns, modelOverride: modelOverride, steelmanOverride: steelmanOverride)
        }
        let dataset = try Dataset.read(from: URL(fileURLWithPath: source.path), followLinks: true)
        let entries = zip(dataset.items, rows).map { ParsedEntry(item: $0, line: $1.line, humanAnswers: []) }
        return ParsedFile(path: source.path, layout: .canonicalDataset, subject: nil, entries: entries, skipped: [])
    }

    private static func mapPaperRows(
        _ rows: [SourceRow], path: String, columns: PaperColumns, modelOverride: String?, steelmanOverride: Bool?
    ) throws -> ParsedFile {
        try mapPaperRows(path: path, columns: columns, modelOverride: modelOverride, steelmanOverride: steelmanOverride) { mapper in
            try rows.map(mapper.entry)
        }
    }

    /// A paper file's entries, made by `entries` with the file's mapper, then the first of each id kept.
    private static func mapPaperRows(
        path: String, columns: PaperColumns, modelOverride: String?, steelmanOverride: Bool?,
        entries: (PaperRowMapper) throws -> [ParsedEntry]
    ) throws -> ParsedFile {
        let subject = try SubjectSettings.forFile(path, stimulusIDLayout: columns.idColumn != "key")
            .overridden(model: modelOverride, steelman: steelmanOverride)
        let mapper = PaperRowMapper(columns: columns, subject: subject)
        let keyed = columns.idColumn == "key"
        var file = uniqueEntries(try entries(mapper), path: path, layout: .paperRows(columns), subject: subject) { entry, first in
            keyed ? "duplicate key \"\(entry.item.id)\" (first on line \(first))" : "same content as line \(first)"
        }
        file.combined = columns.isCombined
        return file
    }
}

/// A row or cell left out of the import, with where it is and why.
public struct SkipNote: CustomStringConvertible, Equatable, Sendable {
    /// Whether a whole file, a row or only one cell (a human answer) was left out.
    public enum Kind: String, Sendable {
        /// A whole file met in a folder walk (e.g. one whose layout is not a result file's).
        case file
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

    /// `file:line: row skipped: reason` (without the line for a whole file).
    public var description: String {
        kind == .file ? "\(file): file skipped: \(reason)" : "\(file):\(line): \(kind.rawValue) skipped: \(reason)"
    }
}
