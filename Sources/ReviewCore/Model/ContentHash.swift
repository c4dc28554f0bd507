import Crypto
import Foundation

/// SHA-256 digests used to detect a changed item and to give content-derived ids.
public enum ContentHash {
    /// Hex SHA-256 of fields joined with a separator that cannot appear in normal text.
    public static func sha256Hex(of fields: [String]) -> String {
        // Fed field by field: the joined text is never made (an import hashes a million items).
        var hasher = SHA256()
        let separator: [UInt8] = [0x1D]
        for (index, field) in fields.enumerated() {
            if index > 0 { separator.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
            var field = field
            field.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return hex(hasher.finalize())
    }

    /// Hex SHA-256 of raw bytes.
    public static func sha256Hex(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Lowercase hex of a digest's bytes, through a 16-entry table, written straight into the string's storage
    /// (a million hashes are made on every import and every read of the study index).
    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        let bytes = Array(digest)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            for (index, byte) in bytes.enumerated() {
                output[2 * index] = hexDigits[Int(byte >> 4)]
                output[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
            }
            return bytes.count * 2
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
