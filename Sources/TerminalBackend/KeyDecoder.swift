import CNcursesw
import ReviewCore
import ReviewConsole

/// Turns what `wget_wch` reports into the console's `Key`.
///
/// `wget_wch` returns either a character (`OK`) or a key code (`KEY_CODE_YES`); this table is the one
/// place that knows both. It needs no running terminal, so it is tested directly.
public enum KeyDecoder {
    /// The key for a key code (`KEY_CODE_YES`), or nil for codes the console does not use.
    public static func key(forKeyCode code: Int32) -> Key? {
        switch code {
        case Int32(cnc_key_resize()): return .resize
        case Int32(cnc_key_up()): return .up
        case Int32(cnc_key_down()): return .down
        case Int32(cnc_key_left()): return .left
        case Int32(cnc_key_right()): return .right
        case Int32(cnc_key_ppage()): return .pageUp
        case Int32(cnc_key_npage()): return .pageDown
        case Int32(cnc_key_home()): return .home
        case Int32(cnc_key_end()): return .end
        case Int32(cnc_key_backspace()): return .backspace
        case Int32(cnc_key_enter()): return .enter
        case Int32(cnc_key_dc()): return .delete
        case Int32(cnc_key_btab()): return .tab
        default:
            let function = Int(code) - Int(cnc_key_f(0))
            if (1...12).contains(function) { return .function(function) }
            return nil
        }
    }

    /// The key for a character (`OK`): Enter, Escape, Tab, Backspace, Ctrl+letter, or the character itself.
    public static func key(forCharacter value: UInt32) -> Key? {
        switch value {
        // With `nonl`, Enter arrives as carriage return; some terminals send line feed.
        case 0x0D, 0x0A: return .enter
        case 0x1B: return .escape
        case 0x09: return .tab
        // DEL (most terminals) and BS (vt100, some `linux` setups) both mean Backspace.
        case 0x7F, 0x08: return .backspace
        case 0x00: return nil
        case 0x01...0x1A:
            guard let scalar = Unicode.Scalar(value + 0x60) else { return nil }
            return .control(Character(scalar))
        case 0x1C...0x1F, 0x80...0x9F:
            // Other control codes have no meaning here and must not reach the screen as text.
            return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        }
    }

    /// Decodes one `wget_wch` result: `status` is `OK` or `KEY_CODE_YES`; anything else (ERR) gives nil.
    public static func key(status: Int32, value: UInt32) -> Key? {
        if status == Int32(cnc_key_code_yes()) { return key(forKeyCode: Int32(bitPattern: value)) }
        if status == Int32(cnc_ok()) { return key(forCharacter: value) }
        return nil
    }
}
