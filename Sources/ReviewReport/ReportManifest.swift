// How a report was made: the tool, the command, its settings, when, and every file it read with its digest.
import Foundation
import ReviewCore

/// How a report was made, so that a reader can tell exactly what it rests on and a later run can be compared with
/// it: the tool and version, the command line, the settings that decide the numbers (seed, resamples, confidence,
/// clustering, conventions), the date, and each input file's size and SHA-256.
public struct ReportManifest: Sendable, Equatable {
    /// One setting and its value, e.g. ("seed", "1").
    public struct Setting: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var tool: String
    public var command: String
    public var made: Date
    public var settings: [Setting]
    /// Every file the report read, once, with the digest of the bytes its numbers came from; a path inside the
    /// study (or the dataset's folder) is relative to it.
    public var files: [FileDigest]

    /// The manifest of a report that read `files` (as `ReadDigests` recorded them; paths under `base` are given
    /// relative to it), made `now` (or at `SOURCE_DATE_EPOCH` when the environment sets it, for byte-identical
    /// reports), by `arguments` (the command line, each argument sanitised and quoted as needed).
    public static func make(files read: [FileDigest], base: URL, arguments: [String], settings: [Setting],
                            now: Date = Date(), environment: [String: String] = ProcessInfo.processInfo.environment) -> ReportManifest {
        let prefix = base.standardizedFileURL.path + "/"
        let files = read.map { file -> FileDigest in
            let path = URL(fileURLWithPath: file.path).standardizedFileURL.path
            return FileDigest(path: path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path, bytes: file.bytes, sha256: file.sha256)
        }.sorted { $0.path < $1.path }
        let made = environment["SOURCE_DATE_EPOCH"].flatMap(TimeInterval.init).map { Date(timeIntervalSince1970: $0) } ?? now
        let command = arguments.map { argument in
            let safe = TextSanitizer.singleLine(argument)
            return safe.isEmpty || safe.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" }) ? "'" + safe.replacingOccurrences(of: "'", with: "'\\''") + "'" : safe
        }.joined(separator: " ")
        return ReportManifest(tool: "judge-review", command: command, made: made, settings: settings, files: files)
    }

    /// The manifest as rows of (what, value), then one row a file.
    var rows: [[String]] {
        let date = ISO8601DateFormatter().string(from: made)
        return [["tool", "\(tool) \(ToolVersion.current)"], ["command", command], ["made", date]]
            + settings.map { [$0.name, $0.value] }
    }

    /// The JSON object of the manifest.
    var json: JSONValue {
        .object([
            ("tool", .string(tool)), ("version", .string(ToolVersion.current)), ("command", .string(command)),
            ("made", .string(ISO8601DateFormatter().string(from: made))),
            ("settings", .object(settings.map { ($0.name, .string($0.value)) })),
            ("files", .array(files.map { .object([("path", .string($0.path)), ("bytes", .int($0.bytes)), ("sha256", .string($0.sha256))]) })),
        ])
    }
}
