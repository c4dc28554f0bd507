import Foundation

/// One cell of a source row: CSV cells are always text, JSON cells keep their type.
indirect enum FieldValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case text(String)
    case list([FieldValue])
    case object([String: FieldValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .text(value)
        } else if let value = try? container.decode([FieldValue].self) {
            self = .list(value)
        } else {
            self = .object(try container.decode([String: FieldValue].self))
        }
    }

    /// The cell as text: numbers without a needless `.0`; nil for null and NaN; nil for lists and objects.
    var scalarText: String? {
        switch self {
        case .null: return nil
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            if value.isNaN { return nil }
            if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        case .text(let value): return value
        case .list, .object: return nil
        }
    }

    /// A short name of the cell's kind for error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .text: return "text"
        case .list: return "a list"
        case .object: return "an object"
        }
    }
}
