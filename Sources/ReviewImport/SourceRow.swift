import Foundation
import ReviewCore

/// One row of a source file, CSV or JSON, with the file and physical line it came from.
struct SourceRow {
    var file: String
    var line: Int
    var values: [String: FieldValue]

    /// An error about this row, in the `file:line: message` form.
    func error(_ message: String) -> InputError {
        InputError(file: file, line: line, message)
    }

    /// The field's text; nil when absent, null, NaN or blank. A list or object is an error.
    func optionalText(_ field: String) throws -> String? {
        guard let value = values[field] else { return nil }
        switch value {
        case .list, .object:
            throw error("field \"\(field)\" is \(value.kindName), expected text")
        default:
            guard let text = value.scalarText else { return nil }
            return text.allSatisfy(\.isWhitespace) ? nil : text
        }
    }

    /// The field's text; a missing, null or blank value is an error naming the field.
    func requiredText(_ field: String) throws -> String {
        guard values[field] != nil else { throw error("missing required field \"\(field)\"") }
        guard let text = try optionalText(field) else { throw error("required field \"\(field)\" is empty") }
        return text
    }
}

/// Line endings inside CSV cells normalised to `\n`, so texts look the same whatever file they came from.
