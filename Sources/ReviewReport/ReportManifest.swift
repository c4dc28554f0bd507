// How a report was made: the tool, the command, its settings, when, and every file it read with its digest.
import Crypto
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

    /// One file the report read: its path (relative to the study folder where it is inside), bytes and SHA-256.
    public struct FileDigest: Sendable, Equatable {
        public var path: String
        public var bytes: Int
        public var sha256: String
    }

    public var tool: String
    public var command: String
    public var made: Date
    public var settings: [Setting]
    public var files: [FileDigest]

    /// The manifest of a report over `datasetFile` and the logs in `annotationFolder` (with the study's own data
    /// files when `study` is given), made `now` (or at `SOURCE_DATE_EPOCH` when the environment sets it, for
    /// byte-identical reports), by `arguments` (the command line, each argument sanitised and quoted as needed).
    public static func make(study: Study?, datasetFile: URL, annotationFolder: URL, arguments: [String], settings: [Setting],
                            now: Date = Date(), environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ReportManifest {
        var inputs: [URL] = []
        if let study {
            for (name, _) in Study.ownFiles where name != Study.lockFileName && name != StudyJournal.fileName {
                let url = study.folder.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: url.path) { inputs.append(url) }
            }
        } else {
            inputs.append(datasetFile)
        }
        inputs += logs(under: annotationFolder)
        let base = (study?.folder ?? datasetFile.deletingLastPathComponent()).standardizedFileURL.path + "/"
        let files = try inputs.map { url -> FileDigest in
            let path = url.standardizedFileURL.path
            let (bytes, digest) = try Self.digest(of: url)
            return FileDigest(path: path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path, bytes: bytes, sha256: digest)
        }
        let made = environment["SOURCE_DATE_EPOCH"].flatMap(TimeInterval.init).map { Date(timeIntervalSince1970: $0) } ?? now
        let command = arguments.map { argument in
            let safe = TextSanitizer.singleLine(argument)
            return safe.isEmpty || safe.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" }) ? "'" + safe.replacingOccurrences(of: "'", with: "'\\''") + "'" : safe
        }.joined(separator: " ")
        return ReportManifest(tool: "judge-review", command: command, made: made, settings: settings, files: files)
    }

    /// The label and adjudication logs under `folder` (`*.jsonl`, one level of subfolders), by path.
    static func logs(under folder: URL) -> [URL] {
        let manager = FileManager.default
        var found: [URL] = []
        let top = (try? manager.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isDirectoryKey])) ?? []
        for entry in top {
            if entry.pathExtension == "jsonl" { found.append(entry) }
            if (try? entry.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                found += ((try? manager.contentsOfDirectory(at: entry, includingPropertiesForKeys: nil)) ?? []).filter { $0.pathExtension == "jsonl" }
            }
        }
        return found.sorted { $0.path < $1.path }
    }

    /// A file's size and SHA-256, read in 1 MiB pieces (a million items' file is never held whole).
    static func digest(of url: URL) throws -> (bytes: Int, sha256: String) {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += chunk.count
        }
        return (bytes, ContentHash.hex(hasher.finalize()))
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
