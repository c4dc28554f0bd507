import Crypto
import Foundation

/// SHA-256 digests used to detect a changed item and to give content-derived ids.
public enum ContentHash {
    /// Hex SHA-256 of fields joined with a separator that cannot appear in normal text.
    public static func sha256Hex(of fields: [String]) -> String {
        sha256Hex(Data(fields.joined(separator: "\u{1D}").utf8))
    }

    /// Hex SHA-256 of raw bytes.
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
