import Foundation
import Testing
@testable import ReviewCore

#if canImport(Glibc)
import Glibc
#endif

@Suite("Atomic file writes")
struct AtomicFileTests {
    private func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("a write replaces a regular file whole and leaves no temporary file")
    func replacesRegularFile() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("out.csv")
        try AtomicFile.write(Data("old\n".utf8), to: file)
        try AtomicFile.write(Data("new\n".utf8), to: file, permissions: 0o600)
        #expect(try String(contentsOf: file, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.csv"])
    }

    @Test("a streamed file (several buffers long) that equals the old one is not staged and leaves the old file as it was; one byte different, longer or shorter is staged whole")
    func streamedUnlessSame() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("items.jsonl")
        var random = SystemRandomNumberGenerator()
        let content = (0..<(3 * StagingWriter.bufferSize + 123)).map { _ in UInt8.random(in: 32...126, using: &random) }
        try AtomicFile.write(Data(content), to: file)
        let inode = try FileManager.default.attributesOfItem(atPath: file.path)[.systemFileNumber] as? Int
        func stream(_ bytes: [UInt8]) throws -> StagedFile? {
            try AtomicFile.stage(for: file, unlessSame: true) { writer in
                // In uneven pieces, as lines come.
                var start = 0
                while start < bytes.count {
                    let end = min(bytes.count, start + 1 + (start % 977))
                    try writer.append(bytes[start..<end])
                    start = end
                }
            }
        }
        #expect(try stream(content) == nil)
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.systemFileNumber] as? Int == inode)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["items.jsonl"])
        var lastByte = content
        lastByte[lastByte.count - 1] ^= 1
        for changed in [lastByte, content + [10], Array(content.dropLast()), Array(content.dropFirst(StagingWriter.bufferSize))] {
            let staged = try #require(try stream(changed))
            try staged.commit()
            #expect(try Data(contentsOf: file) == Data(changed))
            try AtomicFile.write(Data(content), to: file)
        }
        // Nothing to compare with: staged.
        let fresh = folder.appendingPathComponent("new.jsonl")
        let staged = try #require(try AtomicFile.stage(for: fresh, unlessSame: true) { try $0.append(content) })
        try staged.commit()
        #expect(try Data(contentsOf: fresh) == Data(content))
    }

    @Test("a failed write names the file asked for, never its temporary file, and leaves the old file and no temporary")
    func failureNamesTarget() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("out.csv")
        try AtomicFile.write(Data("old\n".utf8), to: file)
        let full = FaultyFileSystem()
        full.failWrites = ENOSPC
        let error = #expect(throws: FileWriteError.self) { try AtomicFile.write(Data("new\n".utf8), to: file, fileSystem: full) }
        #expect(error?.message == "\(file.path): cannot write: No space left on device")
        #expect(error?.message.contains(".tmp") == false)
        let refused = FaultyFileSystem()
        refused.failRename = EACCES
        let renameError = #expect(throws: FileWriteError.self) { try AtomicFile.write(Data("new\n".utf8), to: file, fileSystem: refused) }
        #expect(renameError?.message.hasPrefix("\(file.path): cannot write:") == true)
        #expect(try String(contentsOf: file, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.csv"])
    }

    @Test("several files are written all or none: one that cannot be written leaves the others as they were")
    func writeAllOrNone() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a.csv"), second = folder.appendingPathComponent("b.csv")
        try Data("old\n".utf8).write(to: first)
        let missing = folder.appendingPathComponent("no/such/folder/c.csv")
        #expect(throws: FileWriteError.self) {
            try AtomicFile.writeAll([(Data("a\n".utf8), first), (Data("b\n".utf8), second), (Data("c\n".utf8), missing)])
        }
        #expect(try String(contentsOf: first, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.csv"], "a staged file was left behind or renamed")
        try AtomicFile.writeAll([(Data("a\n".utf8), first), (Data("b\n".utf8), second)])
        #expect(try String(contentsOf: second, encoding: .utf8) == "b\n")
    }

    @Test("a FIFO, a folder or a symbolic link is never replaced")
    func refusesSpecialFiles() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let subfolder = folder.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: subfolder, withIntermediateDirectories: false)
        let target = folder.appendingPathComponent("target")
        try Data("keep\n".utf8).write(to: target)
        let link = folder.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)

        for url in [fifo, subfolder, link] {
            #expect(throws: FileWriteError.self) { try AtomicFile.write(Data("x".utf8), to: url) }
        }
        var info = stat()
        #expect(lstat(fifo.path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep\n")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == ["fifo", "sub", "target", "link"])
    }
}
