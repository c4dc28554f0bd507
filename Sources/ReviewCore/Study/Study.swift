import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A validation study on disk: one folder that holds the items, the clinicians' labels and the protocol, laid out
/// as `StudyLayout` names it.
public struct Study: Sendable, Equatable {
    /// The study's settings file name, which marks a folder as a study.
    public static let settingsFileName = StudyLayout.settingsFileName
    /// The dataset's file name inside a study.
    public static let itemsFileName = StudyLayout.itemsFileName
    /// The labels' folder name inside a study.
    public static let annotationsFolderName = StudyLayout.annotationsFolderName

    /// The study folder.
    public let folder: URL

    /// A study at `folder` (not checked; `find` and `create` check).
    public init(folder: URL) {
        // One spelling per folder (no trailing-slash or `..` differences), so studies compare by their path.
        self.folder = URL(fileURLWithPath: folder.standardizedFileURL.path, isDirectory: true)
    }

    /// `study.json`.
    public var settingsFile: URL { folder.appendingPathComponent(Self.settingsFileName) }
    /// `items.jsonl`, the study's canonical dataset.
    public var itemsFile: URL { folder.appendingPathComponent(Self.itemsFileName) }
    /// `Annotations/`, the rater logs (and `adjudication/` below it).
    public var annotationFolder: URL { folder.appendingPathComponent(Self.annotationsFolderName, isDirectory: true) }
    /// The lock every writer of the study's own files holds (`StudyLock`).
    public var lockFile: URL { folder.appendingPathComponent(Self.lockFileName) }
    /// The lock file's name.
    public static let lockFileName = StudyLayout.lockFileName

    /// The study's own files by name, with what each is (`StudyLayout.ownFiles`).
    public static let ownFiles = StudyLayout.ownFiles

    /// The study's settings.
    public func settings() throws -> StudySettings {
        let data = try SafeFile.read(settingsFile.path)
        let settings: StudySettings
        do {
            settings = try StudySettings.decoder.decode(StudySettings.self, from: data)
        } catch {
            throw InputError(file: settingsFile.path, line: 1, "not a study settings file: \(JSONLines.describe(error))")
        }
        try settings.validate(file: settingsFile.path)
        return settings
    }

    /// How to write the study's files: group-readable when the study says so or `groupReadable` (a flag) asks.
    public func storeOptions(groupReadable: Bool) -> StoreOptions {
        (try? settings())?.storeOptions(groupReadable: groupReadable) ?? StoreOptions(groupReadable: groupReadable)
    }

    /// The study's items; an empty dataset before the first import.
    public func dataset() throws -> Dataset {
        try dataset(settings: settings())
    }

    /// The study's items, named by `settings` already read: summaries from the study index when they serve
    /// (`StudyIndex.Detail`), else read whole (and the index brought up to date).
    public func dataset(settings: StudySettings, detail: StudyIndex.Detail = .texts) throws -> Dataset {
        try StudyIndex.dataset(of: self, name: settings.name, detail: detail)
    }

    /// The study whose folder is `path` or holds it, walking up the folders as git finds its repository.
    public static func find(from path: URL) -> Study? {
        var current = path.standardizedFileURL
        if FileKind.ofPath(current.path) != .folder { current = current.deletingLastPathComponent() }
        while true {
            if FileKind.ofPath(current.appendingPathComponent(settingsFileName).path) == .regular { return Study(folder: current) }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    /// Creates a study in `folder` (made if missing, or empty): `study.json`, an empty `items.jsonl` and
    /// `Annotations/` with `adjudication/`, folders 0700 and files 0600 (0750 / 0640 when group-readable).
    ///
    /// - Throws: `InputError` when the folder is not empty (an existing study included) or cannot be made.
    @discardableResult
    public static func create(at folder: URL, name: String? = nil, mode: String = "blind", order: String = "file",
                              options: StoreOptions = StoreOptions(), now: Date = Date()) throws -> Study {
        let study = Study(folder: folder)
        let path = study.folder.path
        switch FileKind.ofPath(path) {
        case nil:
            do {
                try StoreFolders.create(study.folder, permissions: options.folderPermissions, fileSystem: POSIXFileSystem())
            } catch let error as SystemCallError {
                throw InputError(file: path, "cannot create the study folder: \(error.reason)")
            }
        case .folder?:
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            if entries.contains(settingsFileName) { throw InputError(file: path, "is already a study (it has \(settingsFileName))") }
            if !entries.isEmpty {
                throw InputError(file: path, "is a folder with files in it and not a study; init makes a study only in a new or empty folder")
            }
        case let kind?:
            throw InputError(file: path, "\(kind.refusal); a study is a folder")
        }
        var settings = StudySettings(name: name ?? study.folder.lastPathComponent, created: now)
        settings.groupReadable = options.groupReadable ? true : nil
        settings.mode = mode
        settings.order = order
        try settings.validate(file: study.settingsFile.path)
        do {
            try AtomicFile.write(try settings.encoded(), to: study.settingsFile, permissions: options.filePermissions)
            try AtomicFile.write(Data(), to: study.itemsFile, permissions: options.filePermissions)
            try StoreFolders.create(
                StudyLayout.adjudicationFolder(folder: study.annotationFolder), permissions: options.folderPermissions,
                fileSystem: POSIXFileSystem())
        } catch let error as SystemCallError {
            throw InputError(file: path, "cannot create the study: \(error.reason)")
        }
        return study
    }
}

/// `study.json`: the study's name, when it was made, and the protocol defaults later steps fill in.
public struct StudySettings: Codable, Sendable, Equatable {
    /// The file's schema version.
    public var schema: Int = 1
    /// The study's name (shown in reports and the console); the folder's name by default.
    public var name: String
    /// When `init` made the study (UTC).
    public var created: Date
    /// How clinicians label when `label` is given no `--mode`: `blind` or `verdict` (`init --mode`).
    public var mode: String = "blind"
    /// The item order of a rater with none of their own when `label` is given no `--order`: `file` or
    /// `shuffled` (`init --order`; a shuffled order's seed is drawn per rater and remembered).
    public var order: String = "file"
    /// Breaks, the daily cap, content notices and the practice round for the label console; nil: the defaults.
    public var session: SessionProtocol?
    /// Whether the study's files are for the owner's group too (`init --group-readable`): every later writer of
    /// the study makes its files group-readable, as if it had been given the flag. The umask still limits it.
    public var groupReadable: Bool?

    /// How to write the study's files: group-readable when the study says so or `groupReadable` (a flag) asks.
    public func storeOptions(groupReadable: Bool = false) -> StoreOptions {
        StoreOptions(groupReadable: groupReadable || self.groupReadable == true)
    }

    /// The newest schema this build reads.
    public static let currentSchema = 1

    enum CodingKeys: String, CodingKey {
        // A `raters` list written by earlier versions is ignored (the assignment names the raters).
        case schema, name, created, mode, order, session
        case groupReadable = "group_readable"
    }

    /// The session protocol in force: the study's, else the defaults.
    public var sessionProtocol: SessionProtocol { session ?? SessionProtocol() }

    /// Settings for a new study.
    public init(name: String, created: Date) {
        self.name = name
        self.created = created
        self.session = SessionProtocol()
    }

    /// Checks what `init` and the commands would never write: a newer schema, an unknown mode or order.
    func validate(file: String) throws {
        guard (1...Self.currentSchema).contains(schema) else {
            throw InputError(file: file, line: 1, schema > Self.currentSchema
                ? "schema \(schema) is newer than this build reads (\(Self.currentSchema)); update judge-review"
                : "schema \(schema) is not a schema of this file")
        }
        guard ["blind", "verdict"].contains(mode) else {
            throw InputError(file: file, line: 1, "\"mode\" is \"\(TextSanitizer.singleLine(mode))\"; expected blind or verdict")
        }
        guard ["file", "shuffled"].contains(order) else {
            throw InputError(file: file, line: 1, "\"order\" is \"\(TextSanitizer.singleLine(order))\"; expected file or shuffled")
        }
    }

    /// An encoder that writes times as the logs do (`Timestamp`), for the study's own files.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    /// The file's bytes: sorted keys, pretty-printed, ending in a newline.
    public func encoded() throws -> Data {
        var data = try Self.encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads the file's ISO 8601 times.
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 time: \(text)"))
            }
            return date
        }
        return decoder
    }
}
