import ReviewCore

/// Word wrapping by display width.
public enum TextWrap {
    /// Sanitises `text` and wraps it into lines of at most `width` columns, breaking at spaces;
    /// words longer than a line are broken hard. Line breaks in the text start new lines.
    /// (The panes keep the styled lines of long texts in `Styled.cache`, so a key press wraps nothing again.)
    public static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var result: [String] = []
        for paragraph in TextSanitizer.visible(text).split(separator: "\n", omittingEmptySubsequences: false) {
            wrapParagraph(paragraph, width: width, into: &result)
        }
        return result
    }

    private static func wrapParagraph(_ paragraph: Substring, width: Int, into result: inout [String]) {
        var line = ""
        var lineWidth = 0
        var wroteAny = false
        for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
            let wordWidth = DisplayWidth.of(word)
            if lineWidth > 0 && lineWidth + 1 + wordWidth <= width {
                line += " "
                line += word
                lineWidth += 1 + wordWidth
                continue
            }
            if lineWidth > 0 {
                result.append(line)
                wroteAny = true
                line = ""
                lineWidth = 0
            }
            if wordWidth <= width {
                line = String(word)
                lineWidth = wordWidth
                continue
            }
            // Hard-break a word wider than the line.
            for character in word {
                let characterWidth = DisplayWidth.of(character)
                if lineWidth + characterWidth > width && lineWidth > 0 {
                    result.append(line)
                    wroteAny = true
                    line = ""
                    lineWidth = 0
                }
                line.append(character)
                lineWidth += characterWidth
            }
        }
        if lineWidth > 0 || !wroteAny { result.append(line) }
    }

    /// `text` shortened to `keep` characters by an ellipsis, a third of them from its start and the rest from its
    /// end (ids differ at their ends: `gpt-4o/…_bridge_50`).
    public static func middleEllipsis(_ text: String, keep: Int) -> String {
        let characters = Array(text)
        guard characters.count > keep, keep >= 3 else { return text }
        // A third for the start, the rest for the end, where ids differ most.
        let head = (keep - 1) / 3, tail = keep - 1 - head
        return String(characters.prefix(head)) + "…" + String(characters.suffix(tail))
    }

    /// `text` cut to at most `width` columns, with an ellipsis when it was cut.
    public static func truncate(_ text: String, width: Int) -> String {
        guard width > 0 else { return "" }
        if DisplayWidth.of(text) <= width { return text }
        var out = ""
        var used = 0
        for character in text {
            let characterWidth = DisplayWidth.of(character)
            if used + characterWidth > width - 1 { break }
            out.append(character)
            used += characterWidth
        }
        return out + "…"
    }
}
