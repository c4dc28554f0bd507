import Foundation
import ReviewStatistics

/// A named set of items, read from and written to the canonical JSONL file (one item per line).
public struct Dataset: Sendable {
    /// The dataset's name: the file name without `.jsonl`; annotation logs go under `Annotations/<name>/`.
    public var name: String
    /// Items in file order.
    public var items: [Item]
    /// Position of each item id in `items`.
    public private(set) var indexByID: ItemPositions
    /// Where each item's line lies in the file the dataset was read from (nil for a dataset made in memory):
    /// what the study index records, and what a console reads one item's texts from.
    public internal(set) var fileMap: DatasetFileMap?

    /// This dataset as the file whose lines `map` describes holds it (its lines were just written there, or found
    /// there byte for byte), so that derived files made against that file (a log's replay cache) serve it.
    public func held(as map: DatasetFileMap) -> Dataset {
        var copy = self
        copy.fileMap = map
        return copy
    }

    public init(name: String, items: [Item]) {
        self.name = name
        self.items = items
        self.indexByID = ItemPositions(ids: items.map(\.id))
    }

    /// Whether the items are summaries from the study index (`Item.textsLeftOut`): enough for every count,
    /// coefficient, rate and export of labels, not for showing an item or writing the dataset.
    public var textsLeftOut: Bool { items.first?.textsLeftOut ?? false }
    /// Where the texts of summaries are read from, one item at a time (set for a dataset from the study index).
    public internal(set) var texts: ItemTexts?

    /// The item at `position` with its texts: the item itself, or for a summary the full item read from the
    /// file; nil when that cannot be read or no longer holds the item the summary describes.
    public func fullItem(at position: Int) -> Item? {
        guard items.indices.contains(position) else { return nil }
        let item = items[position]
        guard item.textsLeftOut else { return item }
        return texts?.item(at: position, summary: item)
    }

    /// The item with this id, if the dataset has it.
    public subscript(id id: String) -> Item? {
        indexByID[id].map { items[$0] }
    }

    /// The dataset name a file implies: its last path component without extension.
    public static func name(for url: URL) -> String {
        url.deletingPathExtension().lastPathComponent
    }

    /// Reads a canonical dataset file. Errors name the file and line.
    ///
    /// - Parameter followLinks: false (the default) for a dataset judge-review labels, which must be a regular
    ///   file in its place; true when the file is only an input to `import`.
    /// - Parameter allowingEmpty: whether a file with no items (blank lines only) is an empty dataset (a new
    ///   study's `items.jsonl`) rather than an error.
    public static func read(from url: URL, followLinks: Bool = false, allowingEmpty: Bool = false) throws -> Dataset {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, "no such file")
        }
        if isDirectory.boolValue { throw InputError(file: path, "is a folder, expected a dataset .jsonl file") }
        try MemoryBudget.check(bytes: FileIdentity.of(path: path).map { Int($0.size) } ?? 0, factor: MemoryBudget.studyFactor, file: path)
        let (items, lineNumbers, fileMap) = try readItems(path: path, followLinks: followLinks)
        if items.isEmpty && !allowingEmpty { throw InputError(file: path, "empty file, expected one JSON item per line") }
        var indexByID: [String: Int] = [:]
        indexByID.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            if let first = indexByID.updateValue(position, forKey: item.id) {
                throw InputError(file: path, line: lineNumbers[position],
                                 "duplicate item id \"\(item.id)\" (first on line \(lineNumbers[first]))")
            }
        }
        var dataset = Dataset(name: name(for: url), items: items, indexByID: ItemPositions(indexByID))
        dataset.fileMap = fileMap
        return dataset
    }

    /// An id that two lines of a dataset file give (which `read` refuses at the first), for `check` after a merge.
    public struct DuplicateID: Sendable, Equatable {
        public var id: String
        /// The line that first gave the id, and the later line that gave it again.
        public var firstLine: Int
        public var line: Int
        /// Whether the two lines hold the same content (a merge that kept both copies of one import).
        public var sameContent: Bool
    }

    /// Every id the file gives more than once, in file order; empty when the ids are unique (or a line cannot
    /// be read: `read` names that).
    public static func duplicateIDs(in url: URL) -> [DuplicateID] {
        guard let (items, lineNumbers, _) = try? readItems(path: url.path, followLinks: false) else { return [] }
        var first: [String: Int] = [:]
        var duplicates: [DuplicateID] = []
        for (position, item) in items.enumerated() {
            if let earlier = first[item.id] {
                duplicates.append(DuplicateID(
                    id: item.id, firstLine: lineNumbers[earlier], line: lineNumbers[position],
                    sameContent: items[earlier].computedContentHash == item.computedContentHash))
            } else {
                first[item.id] = position
            }
        }
        return duplicates
    }

    init(name: String, items: [Item], indexByID: ItemPositions) {
        self.name = name
        self.items = items
        self.indexByID = indexByID
    }

    /// Decodes every line, a piece of the file at a time (one reused buffer, not the whole file in memory), each
    /// piece in parts on the machine's cores, each part with its own reader; the error reported is the first in
    /// the file. Returns the items, each one's line number, and where each line lies with the file's digest.
    private static func readItems(path: String, followLinks: Bool) throws -> ([Item], [Int], DatasetFileMap) {
        let items = ElementBuffer<Item>(capacity: 1 << 12)
        var lineNumbers: [Int] = []
        var map = DatasetFileMap()
        var digest = XXH64()
        var linesBefore = 0
        let progress = WorkProgress.current
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0
        var bytesRead = 0
        // One reader and one output buffer a part, kept from piece to piece: a buffer allocated a piece is
        // fresh memory the kernel must clear page by page.
        let parts = SharedParts(readers: (0..<ParallelWork.cores).map { _ in ItemReader() },
                                outputs: (0..<ParallelWork.cores).map { _ in ElementBuffer<Item>() })
        try SafeFile.readLines(path, followLinks: followLinks) { piece in
            progress?.update("reading items (MB)", done: bytesRead / 1_000_000, total: fileSize / 1_000_000)
            let lines = JSONLines.ranges(in: piece, linesBefore: &linesBefore)
            if bytesRead == 0, !lines.isEmpty, piece.count < fileSize {
                // Room for the whole file at the first piece's bytes per line, with a margin.
                let estimate = Int(Double(fileSize) / Double(piece.count) * Double(lines.count) * 1.05) + 16
                items.reserve(estimate)
                lineNumbers.reserveCapacity(estimate)
                map.lineStarts.reserveCapacity(estimate)
                map.lineLengths.reserveCapacity(estimate)
            }
            digest.update(piece)
            for line in lines {
                map.lineStarts.append(UInt64(bytesRead + line.start))
                map.lineLengths.append(UInt32(truncatingIfNeeded: line.end - line.start))
            }
            bytesRead += piece.count
            lineNumbers += lines.map(\.number)
            let partCount = min(parts.readers.count, ParallelWork.parts(for: lines.count, minimum: 2_000))
            let shared = SharedBytes(bytes: piece)
            let results = ParallelWork.map(parts: partCount) { part -> Result<Void, any Error> in
                let range = (lines.count * part / partCount)..<(lines.count * (part + 1) / partCount)
                return Result {
                    try decode(lines[range], in: shared.bytes, path: path, reader: parts.readers[part],
                               into: parts.outputs[part])
                }
            }
            for (part, result) in results.enumerated() {
                try result.get()
                items.moveAll(from: parts.outputs[part])
            }
        }
        map.size = UInt64(bytesRead)
        map.digest = digest.finish()
        return (items.takeArray(), lineNumbers, map)
    }

    /// The readers and output buffers of one piece's parts, one of each a part; part `k` touches only its own.
    private struct SharedParts: @unchecked Sendable {
        let readers: [ItemReader]
        let outputs: [ElementBuffer<Item>]
    }

    private static func decode(
        _ lines: ArraySlice<JSONLines.Range>, in bytes: UnsafeRawBufferPointer, path: String, reader: ItemReader,
        into items: ElementBuffer<Item>
    ) throws {
        items.reserve(lines.count)
        for line in lines {
            let text = UnsafeRawBufferPointer(rebasing: bytes[line.start..<line.end])
            if let item = reader.fastItem(text) {
                items.append(item)
                continue
            }
            let data = Data(text)
            guard String(data: data, encoding: .utf8) != nil else {
                throw InputError(file: path, line: line.number, "not UTF-8 text")
            }
            do {
                items.append(try reader.decodeSlowly(data))
            } catch let duplicate as ItemReader.DuplicateKey {
                throw InputError(file: path, line: line.number,
                                 "the key \"\(duplicate.key)\" appears twice in one object; keep one")
            } catch {
                throw InputError(file: path, line: line.number, "not a dataset item: \(JSONLines.describe(error))")
            }
        }
    }

    /// The canonical JSONL encoding: one item per line, keys sorted, so diffs stay small (the bytes JSONEncoder
    /// writes for `Item.encode(to:)`, written directly; a test holds the two together).
    public func jsonl() -> Data {
        var out = Data(capacity: items.count * 600)
        for item in items {
            out.append(contentsOf: item.jsonLine())
            out.append(0x0A)
        }
        return out
    }

    /// Appends the dataset's lines (what `jsonl()` holds) to a staged file, a line at a time; returns where each
    /// line went and the digest of the bytes (the study index of the file once it is in place).
    @discardableResult
    public func writeLines(into writer: inout StagingWriter) throws -> DatasetFileMap {
        if textsLeftOut {
            throw FileWriteError(message: "the dataset \(name) holds summaries from the study index, not items to write", code: EINVAL)
        }
        var map = DatasetFileMap()
        map.lineStarts.reserveCapacity(items.count)
        map.lineLengths.reserveCapacity(items.count)
        var digest = XXH64()
        var written: UInt64 = 0
        // Encoded a batch at a time, in parts on the cores, then written in order (the bytes are the same).
        let batchSize = 1 << 15
        for batchStart in stride(from: 0, to: items.count, by: batchSize) {
            let batch = items[batchStart..<min(batchStart + batchSize, items.count)]
            let parts = ParallelWork.parts(for: batch.count, minimum: 2_048)
            let encoded = ParallelWork.map(parts: parts) { part -> (bytes: [UInt8], lengths: [UInt32]) in
                var bytes: [UInt8] = []
                var lengths: [UInt32] = []
                let range = (batch.startIndex + batch.count * part / parts)..<(batch.startIndex + batch.count * (part + 1) / parts)
                lengths.reserveCapacity(range.count)
                for index in range {
                    let line = batch[index].jsonLine()
                    lengths.append(UInt32(truncatingIfNeeded: line.count))
                    bytes.append(contentsOf: line)
                    bytes.append(0x0A)
                }
                return (bytes, lengths)
            }
            for (bytes, lengths) in encoded {
                for length in lengths {
                    map.lineStarts.append(written)
                    map.lineLengths.append(length)
                    written += UInt64(length) + 1
                }
                bytes.withUnsafeBytes { digest.update($0) }
                try writer.append(bytes)
            }
        }
        map.size = written
        map.digest = digest.finish()
        return map
    }

    /// Writes the dataset atomically (temporary file, fsync, rename); a file that already holds exactly these
    /// bytes is left alone. Returns whether it wrote.
    @discardableResult
    public func write(to url: URL, permissions: mode_t = FileModes.file()) throws -> Bool {
        guard let staged = try AtomicFile.stage(for: url, unlessSame: true, permissions: permissions, write: { try writeLines(into: &$0) }) else { return false }
        try staged.commit()
        return true
    }
}

/// Where a dataset's items lie in the file it was read from, and which bytes that file held.
public struct DatasetFileMap: Sendable, Equatable {
    /// The file's size in bytes when it was read.
    public var size: UInt64 = 0
    /// The XXH64 of all of its bytes.
    public var digest: UInt64 = 0
    /// Byte offset of each item's line, by item position.
    public var lineStarts: [UInt64] = []
    /// Length of each item's line, its newline (and a trailing `\r`) left out.
    public var lineLengths: [UInt32] = []

    public init() {}
}

/// Helpers for line-oriented JSON files.
public enum JSONLines {
    /// Non-blank lines with their 1-based numbers; a trailing `\r` is dropped (CRLF files read like LF ones).
    ///
    /// Lines are found by their newline bytes, not by Characters: a file of a million lines is split without
    /// grapheme breaking, and `\r\n` (one Character) ends a line as `\n` does.
    public static func lines(of text: String) -> [(Int, Substring)] {
        var result: [(Int, Substring)] = []
        let utf8 = text.utf8
        var number = 0
        var start = utf8.startIndex
        while start < utf8.endIndex {
            number += 1
            let newline = utf8[start...].firstIndex(of: 0x0A)
            var end = newline ?? utf8.endIndex
            if end > start, utf8[utf8.index(before: end)] == 0x0D { end = utf8.index(before: end) }
            if !utf8[start..<end].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { result.append((number, text[start..<end])) }
            guard let newline else { break }
            start = utf8.index(after: newline)
        }
        return result
    }

    /// Where one non-blank line lies in a file's bytes.
    public struct Range: Sendable {
        /// 1-based line number.
        public var number: Int
        /// First byte of the line.
        public var start: Int
        /// One past its last byte, a trailing `\r` left out.
        public var end: Int
        /// Whether a newline ends it (false only for the last line of a file without a final newline).
        public var hasNewline: Bool
    }

    /// The non-blank lines of a file (blank: only spaces, tabs and `\r`), found with memchr.
    public static func ranges(in bytes: UnsafeRawBufferPointer) -> [Range] {
        var linesBefore = 0
        return ranges(in: bytes, linesBefore: &linesBefore)
    }

    /// The non-blank lines of one piece of a file, numbered after the `linesBefore` lines of the pieces before
    /// it; `linesBefore` is advanced past this piece.
    public static func ranges(in bytes: UnsafeRawBufferPointer, linesBefore: inout Int) -> [Range] {
        guard let base = bytes.baseAddress else { return [] }
        var result: [Range] = []
        var number = linesBefore
        defer { linesBefore = number }
        var start = 0
        while start < bytes.count {
            number += 1
            let found = memchr(base + start, 0x0A, bytes.count - start)
            let newline = found.map { base.distance(to: UnsafeRawPointer($0)) }
            var end = newline ?? bytes.count
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            var blank = true
            for index in start..<end where bytes[index] != 0x20 && bytes[index] != 0x09 && bytes[index] != 0x0D {
                blank = false
                break
            }
            if !blank { result.append(Range(number: number, start: start, end: end, hasNewline: newline != nil)) }
            guard let newline else { break }
            start = newline + 1
        }
        return result
    }

    /// The 1-based line holding the first byte sequence that is not valid UTF-8.
    public static func firstInvalidUTF8Line(in data: Data) -> Int? {
        var line = 1
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            if String(data: data[start..<end], encoding: .utf8) == nil { return line }
            line += 1
            start = end < data.endIndex ? data.index(after: end) : end
        }
        return nil
    }

    /// A short description of a decoding error: which field and what was wrong.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return "missing required field \"\(parent.isEmpty ? "" : parent + ".")\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field \"\(path(context.codingPath))\": \(context.debugDescription)"
        case .dataCorrupted(let context):
            let where_ = path(context.codingPath)
            return where_.isEmpty ? "invalid JSON" : "field \"\(where_)\": \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
