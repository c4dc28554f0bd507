import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who wrote a log line: the site (a name the site chooses, else the machine's host name) and the id of the copy
/// of the study it was written in, so `judge-review check` can tell when one rater's log was written at two sites.
///
/// The copy's id lives in the annotation folder (`StudyLayout.installationFileName`), made once at random by the
/// first writer there and never shared: git ignores it, so every clone of a study makes its own.
public struct WriterIdentity: Codable, Sendable, Hashable {
    /// The site's name: `JUDGE_REVIEW_SITE` when set, else the host name (one line, at most 64 characters).
    public var site: String
    /// The id of the copy of the study the line was written in.
    public var installation: String

    public init(site: String, installation: String) {
        self.site = site
        self.installation = installation
    }

    /// The environment variable that names the site.
    public static let siteVariable = "JUDGE_REVIEW_SITE"

    /// This machine's site name: `JUDGE_REVIEW_SITE`, else the host name, else `unknown-host`.
    public static func currentSite(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let given = environment[siteVariable].map(TextSanitizer.singleLine)?.trimmedOfWhitespace ?? ""
        var name = given
        if name.isEmpty {
            var buffer = [CChar](repeating: 0, count: 256)
            if gethostname(&buffer, buffer.count - 1) == 0 {
                name = TextSanitizer.singleLine(String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        if name.isEmpty { name = "unknown-host" }
        return String(name.prefix(64))
    }

    /// The writer of lines in `annotationFolder` on this machine: the copy's id read from its file, or made (the
    /// folder too) when there is none yet. A file that is not the tool's id is an error naming it.
    public static func resolve(
        annotationFolder: URL, options: StoreOptions = StoreOptions(), environment: [String: String] = ProcessInfo.processInfo.environment,
        fileSystem: any StoreFileSystem = POSIXFileSystem()
    ) throws -> WriterIdentity {
        let file = annotationFolder.appendingPathComponent(StudyLayout.installationFileName)
        try StoreFolders.create(annotationFolder, permissions: options.folderPermissions, fileSystem: fileSystem)
        let site = currentSite(environment: environment)
        // Made with O_EXCL, so of two first writers one makes it and the other reads it; the reader waits for the
        // maker's one short write (an empty file is a maker between its open and its write).
        let id = UUID().uuidString.lowercased()
        do {
            let descriptor = try fileSystem.open(file.path, flags: O_WRONLY | O_CREAT | O_EXCL, permissions: options.filePermissions)
            defer { fileSystem.close(descriptor) }
            try fileSystem.setPermissions(descriptor, path: file.path, permissions: options.filePermissions)
            try fileSystem.writeAll(descriptor, path: file.path, data: Data((id + "\n").utf8))
            try fileSystem.fsync(descriptor, path: file.path)
            try fileSystem.fsyncFolder(annotationFolder.path)
            return WriterIdentity(site: site, installation: id)
        } catch let error as SystemCallError where error.code == EEXIST {
            for _ in 0..<200 {
                let text = String(decoding: try SafeFile.read(file.path), as: UTF8.self).trimmedOfWhitespaceAndNewlines
                if !text.isEmpty {
                    guard text.count <= 64, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                        throw InputError(file: file.path, line: 1, "not this copy's id (letters, digits and dashes, at most 64); delete the file and judge-review makes a new one")
                    }
                    return WriterIdentity(site: site, installation: text)
                }
                usleep(10_000)
            }
            throw InputError(file: file.path, line: 1, "empty; delete the file and judge-review makes a new one")
        }
    }

    /// A short form for messages, safe for the terminal (another site's log is input): `site (copy 3f2a9c1b)`.
    public var caption: String { "\(TextSanitizer.singleLine(site)) (copy \(TextSanitizer.singleLine(String(installation.prefix(8)))))" }
}

extension LabelEvent: WriterRecorded {}
extension AdjudicationEvent: WriterRecorded {}

extension StoreOptions {
    /// These options with this copy's writer (`WriterIdentity.resolve`) for logs in `annotationFolder`.
    public func withWriter(in annotationFolder: URL) throws -> StoreOptions {
        var options = self
        options.writer = try WriterIdentity.resolve(annotationFolder: annotationFolder, options: self)
        return options
    }
}

/// A log line that records who wrote it (label events, adjudication events, judge verdicts).
public protocol WriterRecorded {
    /// Who wrote the line; nil in lines written before it was recorded.
    var writer: WriterIdentity? { get set }
}

extension WriterRecorded {
    /// The line with `writer` recorded, unless it names one of its own (or there is none to record).
    public func stamped(by writer: WriterIdentity?) -> Self {
        var line = self
        line.stamp(by: writer)
        return line
    }

    /// Records `writer` in place, unless the line names one of its own (or there is none to record).
    public mutating func stamp(by writer: WriterIdentity?) {
        guard self.writer == nil, let writer else { return }
        self.writer = writer
    }
}

/// The lines of one log grouped by the copy that wrote them, for `check`'s one-writer rule.
public struct LogWriters: Sendable {
    /// Each copy that wrote lines, with how many, in order of its first line.
    public var writers: [(writer: WriterIdentity, lines: Int)]

    /// The writers of `identities` (one per line; nil for a line written before writers were recorded).
    public init(_ identities: [WriterIdentity?]) {
        var order: [String] = []
        var found: [String: (writer: WriterIdentity, lines: Int)] = [:]
        for identity in identities {
            guard let identity else { continue }
            if found[identity.installation] == nil {
                order.append(identity.installation)
                found[identity.installation] = (identity, 0)
            }
            found[identity.installation]?.lines += 1
        }
        writers = order.compactMap { found[$0] }
    }

    /// The problem when more than one copy wrote the log: which, how many lines each, and what to do; nil otherwise.
    /// `advice` says what to do; the default is a rater's or an adjudicator's.
    public func problem(owner: String, file: String, conflictingItems: Int, advice: String? = nil) -> StudyCheck.Problem? {
        guard writers.count > 1 else { return nil }
        let owner = TextSanitizer.singleLine(owner)
        let who = writers.map { "\($0.writer.caption): \($0.lines) line\($0.lines == 1 ? "" : "s")" }.joined(separator: "; ")
        let conflicts = conflictingItems == 0 ? "" :
            ", \(conflictingItems) item\(conflictingItems == 1 ? "" : "s") answered differently at two of them (the later line in the file counts, which after a merge is not the later in time)"
        return StudyCheck.Problem(
            file: file, line: nil,
            message: "\(owner)'s log was written at \(writers.count) sites (\(who))\(conflicts); one log has one writer: "
                + (advice ?? "let one site go on as \(owner), have the person at the other go on under a name of their own, and settle there the items that differ"),
            blocksSync: false)
    }
}
