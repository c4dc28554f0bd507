import Foundation
import ReviewCore

/// A whole input file read into memory as UTF-8 text, after the checks every importer needs.
struct SourceText {
    /// The path as the user gave it, used in every error and note.
    var path: String
    /// The file's text, without a leading byte-order mark.
    var text: String

    /// Reads `path`, refusing a missing file, a folder, an empty file and bytes that are not UTF-8.
    static func read(path: String) throws -> SourceText {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, "no such file")
        }
        if isDirectory.boolValue {
            throw InputError(file: path, "is a folder, expected a .jsonl or .csv file")
        }
        let data = try SafeFile.read(path, followLinks: true)
        guard var text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: JSONLines.firstInvalidUTF8Line(in: data) ?? 1, "not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        if text.allSatisfy(\.isWhitespace) {
            throw InputError(file: path, "empty file, expected a header row or one JSON object per line")
        }
        return SourceText(path: path, text: text)
    }

    /// Whether the file should be read as JSON lines: a `.json`/`.jsonl` name or a first character of `{`.
    var looksLikeJSONLines: Bool {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".json") || lowered.hasSuffix(".ndjson") { return true }
        return text.first(where: { !$0.isWhitespace }) == "{"
    }
}
