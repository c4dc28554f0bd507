import CNcursesw
import ReviewCore
import ReviewConsole
import Testing
@testable import TerminalBackend

@Suite("Key decoding")
struct KeyDecoderTests {
    @Test("key codes map to named keys", arguments: [
        (cnc_key_resize(), Key.resize), (cnc_key_up(), .up), (cnc_key_down(), .down),
        (cnc_key_left(), .left), (cnc_key_right(), .right), (cnc_key_ppage(), .pageUp),
        (cnc_key_npage(), .pageDown), (cnc_key_home(), .home), (cnc_key_end(), .end),
        (cnc_key_backspace(), .backspace), (cnc_key_enter(), .enter), (cnc_key_dc(), .delete),
        (cnc_key_f(1), .function(1)), (cnc_key_f(12), .function(12)),
    ])
    func keyCodes(code: Int32, expected: Key) {
        #expect(KeyDecoder.key(status: cnc_key_code_yes(), value: UInt32(bitPattern: code)) == expected)
    }

    @Test("unknown key codes and F13 and above are ignored")
    func unknownKeyCodes() {
        #expect(KeyDecoder.key(forKeyCode: cnc_key_f(13)) == nil)
        #expect(KeyDecoder.key(forKeyCode: 0o777) == nil)
    }

    @Test("characters map to keys", arguments: [
        (UInt32(0x0D), Key.enter), (0x0A, .enter), (0x1B, .escape), (0x09, .tab),
        (0x7F, .backspace), (0x08, .backspace), (0x03, .control("c")), (0x01, .control("a")),
        (0x1A, .control("z")), (UInt32(Character("y").asciiValue ?? 0), .character("y")),
        (0x3F, .character("?")), (0x4E2D, .character("中")), (0x1F600, .character("😀")),
    ])
    func characters(value: UInt32, expected: Key) {
        #expect(KeyDecoder.key(status: cnc_ok(), value: value) == expected)
    }

    @Test("stray control codes, NUL and ERR give no key")
    func ignored() {
        #expect(KeyDecoder.key(forCharacter: 0x00) == nil)
        #expect(KeyDecoder.key(forCharacter: 0x1C) == nil)
        #expect(KeyDecoder.key(forCharacter: 0x9B) == nil)
        #expect(KeyDecoder.key(status: cnc_err(), value: 0x61) == nil)
    }
}
