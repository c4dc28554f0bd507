import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files the safe way: regular files only, links not followed in the tool's own places.
///
/// A FIFO, socket, device or folder is refused at once (never a hang waiting for a writer), and the bytes are
/// read with read(2), not mapped, so a file truncated while it is read gives short data, never SIGBUS.
public enum SafeFile {
    /// Reads the regular file at `path` whole; throws an `InputError` naming `path` (as given) otherwise.
    ///
    /// - Parameter followLinks: false for the tool's own files (logs, order files, the dataset), where a link
    ///   is refused; true for inputs the user points at (a link to the paper's data is fine), which are then
    ///   resolved first and the file they name must be regular.
    public static func read(_ path: String, followLinks: Bool = false, fileSystem: any StoreFileSystem = POSIXFileSystem()) throws -> Data {
        var target = path
        if followLinks {
            guard let resolved = realpath(path, nil) else {
                throw InputError(file: path, errno == ENOENT ? "no such file" : "cannot read: \(String(cString: strerror(errno)))")
            }
            target = String(cString: resolved)
            free(resolved)
        }
        do {
            let descriptor = try fileSystem.open(target, flags: O_RDONLY, permissions: 0)
            defer { fileSystem.close(descriptor) }
            return try fileSystem.readAll(descriptor, path: target)
        } catch let error as SystemCallError {
            if error.code == ENOENT { throw InputError(file: path, "no such file") }
            if let explanation = error.explanation { throw InputError(file: path, explanation) }
            throw InputError(file: path, "cannot read: \(error.reason)")
        }
    }

    /// Whether something (a file, link, FIFO, folder…) is at `path` itself, links not followed.
    public static func exists(_ path: String) -> Bool {
        FileKind.ofPath(path) != nil
    }
}
