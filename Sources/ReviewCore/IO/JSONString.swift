import Foundation

/// The tool's one JSON string escaper: `"` and `\` escaped, `\n \r \t \b \f` by name, every other control below
/// U+0020 as `\u00XX` (the bytes JSONEncoder writes); in terminal-safe mode also DEL, the C1 controls, the bidi
/// overrides and isolates and the line and paragraph separators as `\uXXXX`, so that JSON printed to a terminal
/// stays exact and cannot move the cursor or reorder what is shown.
public enum JSONString {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a quoted JSON string to `bytes`.
    public static func append(_ text: String, to bytes: inout [UInt8], terminalSafe: Bool) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                // How many bytes from `index` form one character to escape, and its scalar value (0: none).
                var length = 1
                var scalar: UInt32 = 0
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    scalar = UInt32(byte)
                } else if terminalSafe {
                    if byte == 0x7F {
                        scalar = 0x7F
                    } else if byte == 0xC2, index + 1 < utf8.count, (0x80...0x9F).contains(utf8[index + 1]) {
                        scalar = UInt32(utf8[index + 1])
                        length = 2
                    } else if byte == 0xE2, index + 2 < utf8.count {
                        let second = utf8[index + 1], third = utf8[index + 2]
                        if (second == 0x80 && (0xA8...0xAE).contains(third)) || (second == 0x81 && (0xA6...0xA9).contains(third)) {
                            scalar = 0x2000 | (UInt32(second & 0x01) << 6) | UInt32(third & 0x3F)
                            length = 3
                        }
                    }
                }
                guard scalar != 0 || byte == 0 else {
                    index += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                bytes.append(UInt8(ascii: "\\"))
                switch scalar {
                case UInt32(UInt8(ascii: "\"")), UInt32(UInt8(ascii: "\\")): bytes.append(UInt8(scalar))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    bytes.append(UInt8(ascii: "u"))
                    for shift in stride(from: 12, through: 0, by: -4) { bytes.append(hexDigits[Int((scalar >> UInt32(shift)) & 0x0F)]) }
                }
                index += length
                runStart = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `text` as a quoted JSON string.
    public static func quoted(_ text: String, terminalSafe: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        append(text, to: &bytes, terminalSafe: terminalSafe)
        return String(decoding: bytes, as: UTF8.self)
    }
}
