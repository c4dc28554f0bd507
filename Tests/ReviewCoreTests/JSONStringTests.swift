import Foundation
import Testing
import ReviewCore

@Suite("The one JSON string escaper")
struct JSONStringTests {
    static let hostile = "a\"b\\c\n\r\t\u{08}\u{0C}\u{00}\u{1B}[31m\u{7F}\u{85}\u{9B}\u{202E}evil\u{2066}\u{2028}é😀"

    @Test("plain mode writes JSONEncoder's bytes")
    func plainEqualsEncoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for text in [Self.hostile, "", "plain", "/slash/", String(repeating: "\u{01}", count: 3)] {
            #expect(JSONString.quoted(text, terminalSafe: false) == String(decoding: try encoder.encode(text), as: UTF8.self))
        }
    }

    @Test("terminal-safe mode escapes DEL, C1, bidi controls and separators, and still decodes to the same text")
    func terminalSafe() throws {
        let quoted = JSONString.quoted(Self.hostile, terminalSafe: true)
        #expect(!quoted.unicodeScalars.contains { TextSanitizer.needsAttention($0) })
        for escape in ["\\u007f", "\\u0085", "\\u009b", "\\u202e", "\\u2066", "\\u2028", "\\u001b", "\\u0000"] {
            #expect(quoted.contains(escape), "\(escape) missing from \(quoted)")
        }
        let decoded = try JSONDecoder().decode(String.self, from: Data(quoted.utf8))
        #expect(decoded == Self.hostile)
    }
}
