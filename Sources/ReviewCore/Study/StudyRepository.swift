import Foundation

/// A study kept in git (`init --git`): the files that must not travel between sites are ignored, and the study's
/// files are kept byte for byte (their hashes depend on it). The names come from `StudyLayout`.
public enum StudyRepository {
    /// `.gitignore`: what belongs to one machine: the study's lock and unfinished-write journal, each log's lock and
    /// the torn lines it set aside, and the derived index and replay caches (each copy builds its own).
    public static var ignoreLines: [String] {
        [
            "# judge-review: files that belong to one machine (locks, an unfinished write, torn lines set aside)",
            "/" + StudyLayout.lockFileName,
            "/" + StudyLayout.journalFileName,
            "*." + StudyLayout.logExtension + StudyLayout.logLockSuffix,
            "*." + StudyLayout.logExtension + StudyLayout.corruptSuffix,
            StudyLayout.installationFileName,
            "/" + StudyLayout.indexFolderName + "/",
        ]
    }

    /// `.gitattributes`: the study's JSON and JSON-lines files byte for byte (no line-ending conversion: an item's
    /// hash and a log's lines must read the same at every site).
    public static var attributeLines: [String] {
        [
            "# judge-review: content hashes and append-only logs need the exact bytes at every site",
            "*." + StudyLayout.logExtension + " -text",
            "*.json -text",
            "# each log has one writer, so two sites' lines of one log are both kept (check names such a log)",
            StudyLayout.annotationsFolderName + "/**/*." + StudyLayout.logExtension + " merge=union",
        ]
    }

    /// Makes `study` a git repository: `git init` (the `git` executable; no network), then `.gitignore` and
    /// `.gitattributes` with the lines above. Returns what `git init` printed.
    public static func initialize(_ study: Study, options: StoreOptions = StoreOptions()) throws -> String {
        let result = try GitRunner(folder: study.folder).run(["init", "--quiet", "."])
        guard result.status == 0 else {
            throw InputError(file: study.folder.path, "git init failed: \(result.summary); install git, or init without --git")
        }
        try writeIgnoreAndAttributes(study, options: options)
        return result.output
    }

    /// Adds the lines above to the study's `.gitignore` and `.gitattributes` where they are missing (never
    /// replacing what the files hold), so a study made a repository by hand, or by an older version, gets them.
    public static func writeIgnoreAndAttributes(_ study: Study, options: StoreOptions = StoreOptions()) throws {
        for (name, lines) in [(".gitignore", ignoreLines), (".gitattributes", attributeLines)] {
            let url = study.folder.appendingPathComponent(name)
            let existing = (try? SafeFile.read(url.path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let have = Set(existing.split(separator: "\n").map(String.init))
            let missing = lines.filter { !have.contains($0) }
            guard !missing.isEmpty else { continue }
            let text = existing + (existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n") + missing.joined(separator: "\n") + "\n"
            try AtomicFile.write(Data(text.utf8), to: url, permissions: options.filePermissions)
        }
    }
}
