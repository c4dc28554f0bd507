import Foundation
import ReviewCore

/// The files an import reads: each input as given, a folder walked recursively for result files.
enum InputFiles {
    /// Name endings a folder walk reads; anything else in the folder is left alone without a word.
    static let readableExtensions = ["jsonl", "ndjson", "json", "csv", "eval"]

    /// Most files one folder walk may take in (a folder of the wrong thing, a home folder, should stop early).
    static let maximumFiles = 10_000

    /// One file to read, and whether it was found by walking a folder (then a file of an unknown layout is
    /// skipped with a note instead of stopping the import).
    struct Input {
        var path: String
        var foundInFolder: Bool
    }

    /// The inputs with every folder replaced by the result files under it, in path order, less those an
    /// `exclude` pattern matches (shell patterns, `fnmatch`, against a found file's name or its path inside the
    /// folder given; the files named on the command line are always read); the left-out paths beside them.
    /// Links to folders are not followed (no cycles, no walking out of the folder); links to files are read like
    /// files; FIFOs, sockets and devices are never opened.
    static func expand(_ inputs: [String], exclude: [String] = []) throws -> (inputs: [Input], excluded: [String]) {
        var result: [Input] = []
        var excluded: [String] = []
        for input in inputs {
            guard FileKind.ofPath(input) == .folder else {
                result.append(Input(path: input, foundInFolder: false))
                continue
            }
            var found: [String] = []
            try walk(folder: input, into: &found)
            guard !found.isEmpty else {
                throw InputError(file: input, "a folder with no result files (looked for .jsonl, .json, .csv and .eval files, in its subfolders too)")
            }
            let before = result.count
            for path in found.sorted() {
                let inside = String(path.dropFirst(input.count)).drop { $0 == "/" }
                let name = (path as NSString).lastPathComponent
                if exclude.contains(where: { fnmatch($0, name, 0) == 0 || fnmatch($0, String(inside), 0) == 0 }) {
                    excluded.append(path)
                } else {
                    result.append(Input(path: path, foundInFolder: true))
                }
            }
            if result.count == before { throw InputError(file: input, "every result file under this folder is left out by --exclude") }
        }
        return (result, excluded)
    }

    /// An error in a file met in a folder walk, with the way on: correct it, or leave it out by name.
    static func withWayOn(_ error: InputError, _ input: Input) -> InputError {
        guard input.foundInFolder else { return error }
        let name = (input.path as NSString).lastPathComponent
        return InputError(file: error.file, line: error.line, error.message + " (correct the file, or leave it out: --exclude '\(name)')")
    }

    private static func walk(folder: String, into found: inout [String]) throws {
        let names = try entryNames(folder: folder).sorted()
        for name in names where !name.hasPrefix(".") {
            let path = (folder as NSString).appendingPathComponent(name)
            var info = stat()
            guard lstat(path, &info) == 0 else {
                throw InputError(file: path, "cannot be read (\(String(cString: strerror(errno)))); remove it or import the folder's files one by one")
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                try walk(folder: path, into: &found)
            case S_IFREG, S_IFLNK:
                let lowered = name.lowercased()
                guard readableExtensions.contains(where: { lowered.hasSuffix("." + $0) }) else { continue }
                // A link is read only when it leads to a regular file.
                if info.st_mode & S_IFMT == S_IFLNK {
                    var target = stat()
                    guard stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFREG else { continue }
                }
                found.append(path)
                if found.count > maximumFiles {
                    throw InputError(file: folder, "more than \(maximumFiles) result files under this folder; import a smaller folder")
                }
            default:
                continue
            }
        }
    }
}

extension InputFiles {
    /// The names in `folder`, read as bytes: a name that is not UTF-8 (a run copied from a Latin-1 system) is an
    /// error naming it, never skipped without a word.
    static func entryNames(folder: String) throws -> [String] {
        guard let directory = opendir(folder) else {
            throw InputError(file: folder, "cannot list the folder (\(String(cString: strerror(errno))))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == Array(".".utf8) || bytes == Array("..".utf8) { continue }
            guard let name = String(validating: bytes, as: UTF8.self) else {
                let shown = bytes.map { $0 < 0x80 && $0 >= 0x20 ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }.joined()
                throw InputError(
                    file: folder,
                    "holds an entry whose name is not UTF-8 (\(shown)); rename it to UTF-8 (convmv -f latin1 -t utf8) or import the other files by name")
            }
            names.append(name)
        }
        return names
    }
}

/// A file whose layout is not one the importer knows (the error says what was found and expected); a folder
/// walk skips such files with a note, a file named on the command line stops the import.
struct UnknownLayout: Error, CustomStringConvertible {
    /// The error naming the file, its line and the columns found.
    var error: InputError

    var description: String { error.description }
}
