import Foundation
@testable import ReviewCore

#if canImport(Glibc)
import Glibc
#endif

/// A file system that fails on demand, to simulate a full disk, a read-only folder or a failing fsync.
final class FaultyFileSystem: StoreFileSystem {
    private let real = POSIXFileSystem()
    /// When set, every write fails with this errno (after writing `partialBytes` bytes of the first one).
    var failWrites: Int32?
    /// Bytes a failing write lets through first, to leave half a line behind as a real full disk can.
    var partialBytes = 0
    /// When set, every fsync fails with this errno.
    var failFsync: Int32?
    /// When set, opening a path that ends with this suffix fails with `failOpenCode`.
    var failOpenSuffix: String?
    var failOpenCode: Int32 = EROFS
    /// When set, every rename fails with this errno.
    var failRename: Int32?
    /// How many writes failed on purpose.
    private(set) var injectedFailures = 0

    func makeFolder(_ path: String, permissions: mode_t) throws {
        if let failOpenSuffix, path.hasSuffix(failOpenSuffix) { throw SystemCallError(call: "mkdir", path: path, code: failOpenCode) }
        try real.makeFolder(path, permissions: permissions)
    }

    func open(_ path: String, flags: Int32, permissions: mode_t) throws -> Int32 {
        if let failOpenSuffix, path.hasSuffix(failOpenSuffix) { throw SystemCallError(call: "open", path: path, code: failOpenCode) }
        return try real.open(path, flags: flags, permissions: permissions)
    }

    func setPermissions(_ descriptor: Int32, path: String, permissions: mode_t) throws {
        try real.setPermissions(descriptor, path: path, permissions: permissions)
    }

    func readAll(_ descriptor: Int32, path: String) throws -> Data {
        try real.readAll(descriptor, path: path)
    }

    func write(_ descriptor: Int32, path: String, bytes: UnsafeRawBufferPointer) throws -> Int {
        guard let code = failWrites else { return try real.write(descriptor, path: path, bytes: bytes) }
        injectedFailures += 1
        if partialBytes > 0 {
            let count = min(partialBytes, bytes.count)
            partialBytes = 0
            return try real.write(descriptor, path: path, bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
        }
        throw SystemCallError(call: "write", path: path, code: code)
    }

    func fsync(_ descriptor: Int32, path: String) throws {
        if let failFsync { throw SystemCallError(call: "fsync", path: path, code: failFsync) }
        try real.fsync(descriptor, path: path)
    }

    func truncate(_ descriptor: Int32, path: String, length: Int64) throws {
        try real.truncate(descriptor, path: path, length: length)
    }

    func tryLockExclusive(_ descriptor: Int32, path: String) throws -> Bool {
        try real.tryLockExclusive(descriptor, path: path)
    }

    func rename(_ source: String, to destination: String) throws {
        if let failRename { throw SystemCallError(call: "rename", path: destination, code: failRename) }
        try real.rename(source, to: destination)
    }

    func unlink(_ path: String) throws {
        try real.unlink(path)
    }

    func close(_ descriptor: Int32) {
        real.close(descriptor)
    }
}
