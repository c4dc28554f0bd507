import Foundation

/// The JSON conventions of every append-only log (label and adjudication events): one encoder, one decoder.
///
/// A label event line is written by `LabelEvent.jsonLine()` and read by `LabelEventReader` (fast paths that a test
/// holds to these exact bytes and rules); an adjudication event goes through these directly.
public enum LogJSON {
    /// The encoder of a log record: sorted keys, ISO 8601 UTC times with milliseconds (label events are written
    /// by `LabelEvent.jsonLine()`, which gives the same bytes faster).
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    /// The decoder matching `encoder()`.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 time: \(text)")
            }
            return date
        }
        return decoder
    }
}
