import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Refuses an output path (`--output`, `--to`, `export --gold/--long/--wide`) that would replace the tool's
/// own data: the dataset being read, anything inside the annotation folder in use, any study's own files
/// (`Study.ownFiles`: settings, items, sample, assignment, lock, journal), or any label log, lock, set-aside or
/// order file of any dataset.
///
/// Paths are compared after resolving links in their folders, so `./x/../Annotations/ds/lena.jsonl` and a
/// link to the annotation folder are caught as well. A link in the last component is refused by `AtomicFile`.
public struct OutputGuard: Sendable {
    /// Files no output may replace (canonical paths), with what they are, e.g. "the dataset being read".
    public private(set) var files: [(path: String, role: String)] = []
    /// Folders no output may be written into (canonical paths), with what they are.
    public private(set) var folders: [(path: String, role: String)] = []

    /// A guard for a command that reads `dataset` and the labels in `annotationFolder`.
    public init(dataset: URL? = nil, annotationFolder: URL? = nil) {
        if let dataset { files.append((Self.canonical(dataset.path), "the dataset being read")) }
        if let annotationFolder { folders.append((Self.canonical(annotationFolder.path), "the annotation folder")) }
    }

    /// Throws an `InputError` naming `path` (as given) when writing it would replace the tool's own data.
    public func check(output path: String) throws {
        let target = Self.canonical(path)
        for file in files where file.path == target {
            throw InputError(file: path, "is \(file.role); write the output to another file")
        }
        for folder in folders where target == folder.path || target.hasPrefix(folder.path + "/") {
            throw InputError(file: path, "is inside \(folder.role) \(folder.path), which holds only the label logs; write the output elsewhere")
        }
        let name = (target as NSString).lastPathComponent
        let folder = (target as NSString).deletingLastPathComponent
        if let own = Study.ownFiles.first(where: { $0.name == name || name.hasPrefix($0.name + ".") && $0.name == StudyJournal.fileName }),
           FileKind.ofPath((folder as NSString).appendingPathComponent(Study.settingsFileName)) == .regular {
            throw InputError(file: path, "is \(own.role) in \(folder); write the output elsewhere")
        }
        if StudyLayout.isStoreSideFile(name) {
            throw InputError(file: path, "is one of judge-review's own store files; write the output elsewhere")
        }
        if SafeFile.exists(StudyLayout.lockFile(for: URL(fileURLWithPath: target)).path) {
            throw InputError(file: path, "is a label or adjudication log (it has a lock file beside it); write the output elsewhere")
        }
    }

    /// `path` made absolute, with `.`/`..` and links in its folders resolved (the last component is kept as is).
    public static func canonical(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        guard let resolved = realpath(parent, nil) else { return url.path }
        defer { free(resolved) }
        let folder = String(cString: resolved)
        return (folder == "/" ? "" : folder) + "/" + url.lastPathComponent
    }
}
