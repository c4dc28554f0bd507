import Foundation

/// Finds a key that appears twice in one JSON object, which JSON decoders silently resolve (Foundation keeps
/// one, Python's json keeps the last): an input line with one is an error, never a guess.
public enum DuplicateKeyScanner {
    /// The first key repeated within one object of the JSON text `data`, or nil. Keys are compared after
    /// decoding their escapes (`"a"` and `"\u0061"` are the same key). Malformed JSON is left to the decoder.
    public static func firstDuplicate(in data: Data) -> String? {
        data.withUnsafeBytes { raw -> String? in
            guard let bytes = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
            return scan(bytes, count: raw.count)
        }
    }

    private static func scan(_ bytes: UnsafePointer<UInt8>, count: Int) -> String? {
        // One entry per open container: nil for an array, the keys seen so far for an object.
        var stack: [Set<[UInt8]>?] = []
        var expectingKey = false
        var index = 0
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let start = index + 1
                var end = start
                var escaped = false
                while end < count, bytes[end] != UInt8(ascii: "\"") {
                    if bytes[end] == UInt8(ascii: "\\") { escaped = true; end += 1 }
                    end += 1
                }
                if expectingKey, let last = stack.indices.last, stack[last] != nil {
                    let rawKey = Array(UnsafeBufferPointer(start: bytes + start, count: max(0, min(end, count) - start)))
                    let key = escaped ? unescaped(rawKey) : rawKey
                    if stack[last]?.insert(key).inserted == false { return String(decoding: key, as: UTF8.self) }
                    expectingKey = false
                }
                index = end + 1
                continue
            case UInt8(ascii: "{"):
                stack.append([])
                expectingKey = true
            case UInt8(ascii: "["):
                stack.append(nil)
                expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !stack.isEmpty { stack.removeLast() }
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = stack.last.map { $0 != nil } ?? false
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// A key's bytes with its escapes decoded (through the JSON decoder, so every escape means what JSON says).
    private static func unescaped(_ raw: [UInt8]) -> [UInt8] {
        let quoted = Data([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")])
        guard let text = try? JSONSerialization.jsonObject(with: quoted, options: [.fragmentsAllowed]) as? String else { return raw }
        return Array(text.utf8)
    }
}
