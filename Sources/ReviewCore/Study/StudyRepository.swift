import Foundation

/// A study kept in git (`init --git`): the files that must not travel between sites are ignored, and the study's
/// files are kept byte for byte (their hashes depend on it). The names come from `StudyLayout`.
public enum StudyRepository {
    /// `.gitignore`: what belongs to one machine: the study's lock and unfinished-write journal, each log's lock and
    /// the torn lines it set aside.
    public static var ignoreLines: [String] {
        [
            "# judge-review: files that belong to one machine (locks, an unfinished write, torn lines set aside)",
            "/" + StudyLayout.lockFileName,
            "/" + StudyLayout.journalFileName,
            "*." + StudyLayout.logExtension + StudyLayout.logLockSuffix,
            "*." + StudyLayout.logExtension + StudyLayout.corruptSuffix,
        ]
    }

    /// `.gitattributes`: the study's JSON and JSON-lines files byte for byte (no line-ending conversion: an item's
    /// hash and a log's lines must read the same at every site).
    public static var attributeLines: [String] {
        [
            "# judge-review: content hashes and append-only logs need the exact bytes at every site",
            "*." + StudyLayout.logExtension + " -text",
            "*.json -text",
        ]
    }

    /// Makes `study` a git repository: `git init` (the `git` executable; no network), then `.gitignore` and
    /// `.gitattributes` with the lines above (added to files already there, never replacing them). Returns what
    /// `git init` printed.
    public static func initialize(_ study: Study, options: StoreOptions = StoreOptions()) throws -> String {
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "init", "--quiet", study.folder.path]
        let output = Pipe()
        git.standardOutput = output
        git.standardError = output
        do {
            try git.run()
        } catch {
            throw InputError(file: study.folder.path, "cannot run git (\(error.localizedDescription)); install git, or init without --git")
        }
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        git.waitUntilExit()
        guard git.terminationStatus == 0 else {
            throw InputError(file: study.folder.path, "git init failed: \(TextSanitizer.singleLine(printed)); install git, or init without --git")
        }
        for (name, lines) in [(".gitignore", ignoreLines), (".gitattributes", attributeLines)] {
            let url = study.folder.appendingPathComponent(name)
            let existing = (try? SafeFile.read(url.path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let have = Set(existing.split(separator: "\n").map(String.init))
            let missing = lines.filter { !have.contains($0) }
            guard !missing.isEmpty else { continue }
            let text = existing + (existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n") + missing.joined(separator: "\n") + "\n"
            try AtomicFile.write(Data(text.utf8), to: url, permissions: options.filePermissions)
        }
        return printed
    }
}
