import Foundation

/// A named set of items, read from and written to the canonical JSONL file (one item per line).
public struct Dataset: Sendable {
    /// The dataset's name: the file name without `.jsonl`; annotation logs go under `Annotations/<name>/`.
    public var name: String
    /// Items in file order.
    public var items: [Item]
    /// Position of each item id in `items`.
    public private(set) var indexByID: [String: Int]

    public init(name: String, items: [Item]) {
        self.name = name
        self.items = items
        var index: [String: Int] = [:]
        for (position, item) in items.enumerated() where index[item.id] == nil {
            index[item.id] = position
        }
        self.indexByID = index
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
    public static func read(from url: URL, followLinks: Bool = false) throws -> Dataset {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, "no such file")
        }
        if isDirectory.boolValue { throw InputError(file: path, "is a folder, expected a dataset .jsonl file") }
        let data = try SafeFile.read(path, followLinks: followLinks)
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: JSONLines.firstInvalidUTF8Line(in: data), "not UTF-8 text")
        }
        let decoder = JSONDecoder()
        var items: [Item] = []
        var seen: [String: Int] = [:]
        let lines = JSONLines.lines(of: text)
        let progress = WorkProgress.current
        for (index, (number, line)) in lines.enumerated() {
            if index & 4095 == 0 { progress?.update("reading items", done: index, total: lines.count) }
            do {
                let bytes = Data(line.utf8)
                if let key = DuplicateKeyScanner.firstDuplicate(in: bytes) {
                    throw InputError(file: path, line: number, "the key \"\(key)\" appears twice in one object; keep one")
                }
                let item = try decoder.decode(Item.self, from: bytes)
                if let first = seen[item.id] {
                    throw InputError(file: path, line: number, "duplicate item id \"\(item.id)\" (first on line \(first))")
                }
                seen[item.id] = number
                items.append(item)
            } catch let error as InputError {
                throw error
            } catch {
                throw InputError(file: path, line: number, "not a dataset item: \(JSONLines.describe(error))")
            }
        }
        if items.isEmpty { throw InputError(file: path, "empty file, expected one JSON item per line") }
        return Dataset(name: name(for: url), items: items)
    }

    /// The canonical JSONL encoding: one item per line, keys sorted, so diffs stay small.
    public func jsonl() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data()
        for item in items {
            out.append(try encoder.encode(item))
            out.append(0x0A)
        }
        return out
    }

    /// Writes the dataset atomically (temporary file, fsync, rename); a file that already holds exactly these
    /// bytes is left alone. Returns whether it wrote.
    @discardableResult
    public func write(to url: URL, permissions: mode_t = 0o644) throws -> Bool {
        let bytes = try jsonl()
        if FileKind.ofPath(url.path) == .regular, (try? SafeFile.read(url.path)) == bytes { return false }
        try AtomicFile.write(bytes, to: url, permissions: permissions)
        return true
    }
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
