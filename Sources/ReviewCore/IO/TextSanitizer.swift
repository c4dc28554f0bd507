/// Makes text from input files safe to show: control characters and escape sequences become visible placeholders.
///
/// Nothing that a terminal would act on (ESC, CSI, BEL, backspace, bidi overrides...) ever reaches the console's
/// grid or a command's output: the console draws `visible`/`singleLine` text, commands print `forOutput` text.
public enum TextSanitizer {
    /// The placeholder for a C1 control or a bidirectional override (which could reorder what is shown).
    public static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// `text` with line breaks kept as `\n`, tabs as spaces, and every other control character shown
    /// as its Unicode "control picture" (ESC as ␛, BEL as ␇, DEL as ␡).
    public static func visible(_ text: String) -> String {
        sanitized(text, keepTabs: false)
    }

    /// Text for a command's standard output or error: as `visible`, but tabs are kept (tables and TSV use them).
    /// No byte below 0x20 but newline and tab, no DEL, no C1 control and no bidi override survives.
    public static func forOutput(_ text: String) -> String {
        sanitized(text, keepTabs: true)
    }

    static func sanitized(_ text: String, keepTabs: Bool) -> String {
        // Fast path: plain printable text is returned as is.
        if !text.unicodeScalars.contains(where: needsAttention) { return text }
        var output = String.UnicodeScalarView()
        var previousWasCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { previousWasCarriageReturn = scalar == "\r" }
            switch scalar.value {
            case 0x0A:
                if previousWasCarriageReturn { output.removeLast() }
                output.append("\n")
            case 0x09:
                if keepTabs { output.append(scalar) } else { output.append(contentsOf: "    ".unicodeScalars) }
            case 0x0D:
                // Kept as ␍ unless a line feed follows (then removed again above).
                output.append(picture(0x0D))
            case 0x00...0x1F:
                output.append(picture(scalar.value))
            case 0x7F:
                output.append("\u{2421}")
            case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069:
                output.append(replacement)
            case 0x2028, 0x2029:
                output.append("\n")
            default:
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// The control picture (U+2400 block) for a C0 control.
    static func picture(_ value: UInt32) -> Unicode.Scalar {
        Unicode.Scalar(0x2400 + value) ?? replacement
    }

    /// Whether a scalar must be replaced or handled.
    public static func needsAttention(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: true
        default: false
        }
    }

    /// One line of text for a single-line field (header, list entry): sanitised, line breaks shown as ⏎.
    public static func singleLine(_ text: String) -> String {
        visible(text).replacingOccurrences(of: "\n", with: " ⏎ ")
    }
}
