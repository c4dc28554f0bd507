import Foundation
import ReviewCore

/// Word wrapping by display width.
public enum TextWrap {
    /// Texts at least this long (UTF-8 bytes) are wrapped once per width and remembered.
    static let cachedLength = 4_096

    /// Sanitises `text` and wraps it into lines of at most `width` columns, breaking at spaces;
    /// words longer than a line are broken hard. Line breaks in the text start new lines.
    ///
    /// A long text (a response of megabytes) is wrapped once per width: later frames of the same item reuse the
    /// lines, so a key press costs the same for a 10 MB response as for a short one.
    public static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        guard text.utf8.count >= cachedLength else { return wrap(text, width: width) }
        return cache.value(for: text, width: width, extra: 0) { wrap(text, width: width) }
    }

    /// Wrapped long texts (the console renders on one thread; the cache's lock keeps parallel tests safe).
    static let cache = LongTextCache<Int, [String]>()

    /// The wrapping itself, without the cache.
    static func wrap(_ text: String, width: Int) -> [String] {
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

/// What was made from the few long texts on screen lately (wrapped lines, styled lines), per text, width and
/// whatever else the result depends on (`Extra`: styles, a label).
///
/// An entry is found by width, length and extra, then confirmed by comparing the text: the dataset's strings are
/// shared, not copied, so that comparison is a pointer check for the text on screen, and a full comparison
/// (still cheaper than wrapping) only for a different text of the same length.
final class LongTextCache<Extra: Equatable, Value>: @unchecked Sendable {
    private struct Entry {
        var text: String
        var width: Int
        var extra: Extra
        var value: Value
    }

    private let lock = NSLock()
    private var entries: [Entry] = []
    /// Entries kept: the panes of two items at two widths, with room to spare.
    private let capacity = 16

    /// The widths at which this text and extra have a value kept (for tests).
    func widths(for text: String, extra: Extra) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        return entries.filter { $0.extra == extra && $0.text == text }.map(\.width)
    }

    /// The value made for this text, width and extra, or `make()`'s, remembered.
    func value(for text: String, width: Int, extra: Extra, make: () -> Value) -> Value {
        let length = text.utf8.count
        lock.lock()
        if let index = entries.firstIndex(where: {
            $0.width == width && $0.extra == extra && $0.text.utf8.count == length && $0.text == text
        }) {
            let entry = entries.remove(at: index)
            entries.append(entry)  // most recently used last
            lock.unlock()
            return entry.value
        }
        lock.unlock()
        let value = make()
        lock.lock()
        if entries.count >= capacity { entries.removeFirst() }
        entries.append(Entry(text: text, width: width, extra: extra, value: value))
        lock.unlock()
        return value
    }
}
