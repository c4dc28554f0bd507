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
        let data = try withOpenFile(path, followLinks: followLinks, fileSystem: fileSystem) { descriptor, target in
            try fileSystem.readAll(descriptor, path: target)
        }
        if var reading = ReadDigests.current?.start(path) {
            data.withUnsafeBytes { reading.update($0) }
            reading.finish()
        }
        return data
    }

    /// Reads the regular file at `path` (same rules as `read`) in pieces of whole lines, for files too large to
    /// hold twice: `body` gets each piece in turn, every piece but the last ending in a newline. One buffer of
    /// about `pieceSize` bytes is reused (grown only for a line longer than it).
    public static func readLines(
        _ path: String, followLinks: Bool = false, pieceSize: Int = 8 << 20,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var reading = ReadDigests.current?.start(path)
        try withOpenFile(path, followLinks: followLinks, fileSystem: POSIXFileSystem()) { descriptor, target in
            // Every byte reaches `body` exactly once, in order, so the digest is taken from the pieces as they go.
            func deliver(_ piece: UnsafeRawBufferPointer) throws {
                reading?.update(piece)
                try body(piece)
            }
            var buffer = [UInt8](repeating: 0, count: max(pieceSize, 1))
            var filled = 0
            var offset: off_t = 0
            while true {
                if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
                let count = buffer.withUnsafeMutableBytes { bytes -> Int in
                    let rest = UnsafeMutableRawBufferPointer(rebasing: bytes[filled...])
                    return pread(descriptor, rest.baseAddress, rest.count, offset)
                }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw SystemCallError(call: "read", path: target, code: errno)
                }
                if count == 0 {
                    if filled > 0 { try buffer.withUnsafeBytes { try deliver(UnsafeRawBufferPointer(rebasing: $0[0..<filled])) } }
                    return
                }
                offset += off_t(count)
                filled += count
                guard let lastNewline = buffer[0..<filled].lastIndex(of: 0x0A) else { continue }
                try buffer.withUnsafeBytes { try deliver(UnsafeRawBufferPointer(rebasing: $0[0...lastNewline])) }
                let rest = filled - lastNewline - 1
                if rest > 0 {
                    buffer.withUnsafeMutableBytes { bytes in
                        guard let base = bytes.baseAddress else { return }
                        memmove(base, base + lastNewline + 1, rest)
                    }
                }
                filled = rest
            }
        }
        reading?.finish()
    }

    /// Reads what a file holds after its first `prefixLength` bytes, with an XXH64 hasher fed those first bytes,
    /// through one open file (so both describe the same file) a piece at a time (the prefix is never in memory
    /// whole); nil when the file is shorter than the prefix. Same rules as `read`.
    public static func readAfter(_ path: String, prefixLength: Int) throws -> (prefix: XXH64, rest: Data)? {
        try withOpenFile(path, followLinks: false, fileSystem: POSIXFileSystem()) { descriptor, target in
            try readAfter(descriptor: descriptor, path: target, prefixLength: prefixLength)
        }
    }

    /// `readAfter` on a file already open (`path` names it in errors).
    static func readAfter(descriptor: Int32, path target: String, prefixLength: Int) throws -> (prefix: XXH64, rest: Data)? {
        var digest = XXH64()
        var buffer = [UInt8](repeating: 0, count: min(max(prefixLength, 1), 8 << 20))
        var offset = 0
        while offset < prefixLength {
            let wanted = min(buffer.count, prefixLength - offset)
            let count = try buffer.withUnsafeMutableBytes {
                try read(descriptor, path: target, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<wanted]), at: offset)
            }
            guard count == wanted else { return nil }
            buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            offset += count
        }
        var rest = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try read(descriptor, path: target, into: $0, at: offset) }
            rest.append(contentsOf: chunk[0..<count])
            offset += count
            if count < chunk.count { return (digest, rest) }
        }
    }

    /// Reads the bytes at `offset` into `buffer` until it is full or the file ends (pread, EINTR retried); returns
    /// how many were read.
    static func read(_ descriptor: Int32, path: String, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])
            let count = pread(descriptor, rest.baseAddress, rest.count, off_t(offset + filled))
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "read", path: path, code: errno)
            }
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// Opens `path` read-only the safe way and runs `body` on the descriptor; system errors become one-line
    /// `InputError`s naming `path` as given.
    private static func withOpenFile<Result>(
        _ path: String, followLinks: Bool, fileSystem: any StoreFileSystem,
        _ body: (Int32, String) throws -> Result
    ) throws -> Result {
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
            return try body(descriptor, target)
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
