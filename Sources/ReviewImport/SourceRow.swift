import Foundation
import ReviewCore

/// One row of a source file, CSV or JSON, with the file and physical line it came from.
struct SourceRow {
    var file: String
    var line: Int
    private var storage: Storage

    /// A CSV row's cells by the header's positions (one header for every row, no dictionary a row), or a
    /// JSON object's fields by name.
    private enum Storage {
        case table(SourceColumns, [FieldValue])
        case keyed([String: FieldValue])
    }

    /// A row of named fields (a JSON object).
    init(file: String, line: Int, values: [String: FieldValue]) {
        (self.file, self.line, storage) = (file, line, .keyed(values))
    }

    /// A CSV record: `cells[i]` is the column `columns.names[i]`.
    init(file: String, line: Int, columns: SourceColumns, cells: [FieldValue]) {
        (self.file, self.line, storage) = (file, line, .table(columns, cells))
    }

    /// The value of a field; nil when the row has no such field.
    subscript(field: String) -> FieldValue? {
        get {
            switch storage {
            case .keyed(let values):
                return values[field]
            case .table(let columns, let cells):
                return columns.position[field].map { cells[$0] }
            }
        }
        set {
            var values = self.values
            values[field] = newValue
            storage = .keyed(values)
        }
    }

    /// Every field by name.
    var values: [String: FieldValue] {
        switch storage {
        case .keyed(let values):
            return values
        case .table(let columns, let cells):
            return Dictionary(uniqueKeysWithValues: zip(columns.names, cells))
        }
    }

    /// The names of the row's fields.
    var fieldNames: [String] {
        switch storage {
        case .keyed(let values):
            return Array(values.keys)
        case .table(let columns, _):
            return columns.names
        }
    }

    /// An error about this row, in the `file:line: message` form.
    func error(_ message: String) -> InputError {
        InputError(file: file, line: line, message)
    }

    /// The field's text; nil when absent, null, NaN or blank. A list or object is an error.
    func optionalText(_ field: String) throws -> String? {
        guard let value = self[field] else { return nil }
        switch value {
        case .list, .object:
            throw error("field \"\(field)\" is \(value.kindName), expected text")
        default:
            guard let text = value.scalarText else { return nil }
            // An ASCII letter, digit or mark first is not blank: most cells are settled without a Character walk.
            if let first = text.utf8.first, first > 0x20, first < 0x7F { return text }
            return text.allSatisfy(\.isWhitespace) ? nil : text
        }
    }

    /// The field's text; a missing, null or blank value is an error naming the field.
    func requiredText(_ field: String) throws -> String {
        guard self[field] != nil else { throw error("missing required field \"\(field)\"") }
        guard let text = try optionalText(field) else { throw error("required field \"\(field)\" is empty") }
        return text
    }
}

/// Line endings inside CSV cells normalised to `\n`, so texts look the same whatever file they came from.

/// A CSV file's header as the rows of the file share it: names in order and each name's position.
final class SourceColumns: Sendable {
    let names: [String]
    let position: [String: Int]

    /// `names` must be distinct (a header with a name twice is refused before rows are made).
    init(_ names: [String]) {
        self.names = names
        position = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
