import Foundation

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
