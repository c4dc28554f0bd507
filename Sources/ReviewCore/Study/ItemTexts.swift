import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one item's texts from `items.jsonl` at the place the study index records, for a console that shows one
/// item at a time from a million summaries.
///
/// The file is opened once, at the first read, the study's way (a link refused, a regular file only), and kept
/// open: a later import replaces `items.jsonl` by a rename, so the open file still holds the bytes the index
/// describes. Every item read is checked against its summary (same id, same content hash) before it is returned;
/// an item that fails (the file was edited in place) is nil, and the console says so instead of showing it.
public final class ItemTexts: @unchecked Sendable {
    private let path: String
    private let map: DatasetFileMap
    private let lock = NSLock()
    private var descriptor: Int32?
    private var opened = false
    /// The last items read, by position (a console moves back and forth among a few).
    private var recent: [Int: Item] = [:]
    private static let recentLimit = 32

    init(path: String, map: DatasetFileMap) {
        self.path = path
        self.map = map
    }

    deinit {
        if let descriptor { close(descriptor) }
    }

    /// The full item at `position`, checked against `summary`; nil when its line cannot be read or no longer
    /// holds that item.
    public func item(at position: Int, summary: Item) -> Item? {
        lock.lock()
        defer { lock.unlock() }
        if let item = recent[position] { return item }
        guard position >= 0, position < map.lineStarts.count, let descriptor = openFile() else { return nil }
        let length = Int(map.lineLengths[position])
        var bytes = [UInt8](repeating: 0, count: length)
        let read = bytes.withUnsafeMutableBytes { buffer in
            try? SafeFile.read(descriptor, path: path, into: buffer, at: Int(map.lineStarts[position]))
        }
        guard read == length else { return nil }
        let reader = ItemReader()
        let item = bytes.withUnsafeBytes { reader.fastItem($0) } ?? (try? reader.decodeSlowly(Data(bytes)))
        guard let item, item.id == summary.id, item.contentHash == summary.contentHash else { return nil }
        if recent.count >= Self.recentLimit { recent.removeAll(keepingCapacity: true) }
        recent[position] = item
        return item
    }

    private func openFile() -> Int32? {
        if opened { return descriptor }
        opened = true
        descriptor = try? POSIXFileSystem().open(path, flags: O_RDONLY, permissions: 0)
        if let descriptor, FileIdentity.of(descriptor: descriptor)?.kind != .regular {
            close(descriptor)
            self.descriptor = nil
        }
        return descriptor
    }
}
