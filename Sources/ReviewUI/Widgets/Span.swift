import ReviewCore
import ReviewConsole

/// A run of text drawn in one style.
public struct Span: Hashable, Sendable {
    /// The text (already sanitised by the caller or by the widget).
    public var text: String
    /// How it is drawn.
    public var style: CellStyle

    /// A span of text in a style.
    public init(_ text: String, _ style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }
}

/// One line of styled text.
public typealias StyledLine = [Span]

/// Helpers to build styled lines.
public enum Styled {
    /// `text` sanitised and wrapped to `width`, each line in `style`.
    public static func wrapped(_ text: String, width: Int, style: CellStyle = .plain) -> [StyledLine] {
        guard text.utf8.count >= cachedLength else { return TextWrap.lines(text, width: width).map { [Span($0, style)] } }
        return cache.value(for: text, width: width, extra: CacheKey(label: "", styles: [style])) {
            TextWrap.lines(text, width: width).map { [Span($0, style)] }
        }
    }

    /// Texts at least this long (UTF-8 bytes) are wrapped once per width and their lines kept.
    static let cachedLength = 4_096

    /// Styled lines of long texts (a response of megabytes), so a key press does not wrap and rebuild them:
    /// later frames of the same item reuse the lines, and a key costs the same for 10 MB as for a short text.
    static let cache = LongTextCache<CacheKey, [StyledLine]>()

    /// What else styled lines depend on besides the text and the width.
    struct CacheKey: Equatable {
        var label: String
        var styles: [CellStyle]
    }

    /// `label` then sanitised, wrapped `value` (continuation lines indented under the value).
    public static func field(_ label: String, _ value: String, width: Int, labelStyle: CellStyle = CellStyle(dim: true),
                             valueStyle: CellStyle = .plain) -> [StyledLine] {
        let labelWidth = DisplayWidth.of(label)
        guard width > labelWidth + 4 else { return wrapped(label + value, width: width, style: valueStyle) }
        func make() -> [StyledLine] {
            let indent = String(repeating: " ", count: labelWidth)
            return TextWrap.lines(value, width: width - labelWidth).enumerated().map { index, line in
                [Span(index == 0 ? label : indent, labelStyle), Span(line, valueStyle)]
            }
        }
        guard value.utf8.count >= cachedLength else { return make() }
        return cache.value(for: value, width: width, extra: CacheKey(label: label, styles: [labelStyle, valueStyle]), make: make)
    }
}
