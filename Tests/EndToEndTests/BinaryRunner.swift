import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Finds and runs the built `judge-review` binary from the test bundle's build folder.
enum BinaryRunner {
    /// The `judge-review` executable beside the test bundle (e.g. `.build/debug/`), or nil when it is not built.
    static var executable: URL? {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first {
            let url = URL(fileURLWithPath: first).resolvingSymlinksInPath()
            candidates.append(url.deletingLastPathComponent())
            candidates.append(url.deletingLastPathComponent().deletingLastPathComponent())
        }
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        // Repo root from this file: Tests/EndToEndTests/BinaryRunner.swift.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug"))
        for folder in candidates {
            let binary = folder.appendingPathComponent("judge-review")
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: binary.path, isDirectory: &isFolder), !isFolder.boolValue,
                FileManager.default.isExecutableFile(atPath: binary.path) {
                return binary
            }
        }
        return nil
    }

    /// A running child whose stdout goes to a pipe and stderr to a file.
    struct Child {
        let pid: pid_t
        let stdout: Int32
    }

    /// Starts `binary` with `arguments`; stderr is appended to `stderrPath`.
    static func spawn(_ binary: URL, _ arguments: [String], stderrPath: String) throws -> Child {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw POSIXFailure("pipe") }
        _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let argv = ([binary.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, binary.path, &actions, nil, argv, environ)
        close(pipeEnds[1])
        guard result == 0 else {
            close(pipeEnds[0])
            throw POSIXFailure("posix_spawn: \(String(cString: strerror(result)))")
        }
        return Child(pid: pid, stdout: pipeEnds[0])
    }

    /// Waits for the child to exit; returns its wait status.
    static func wait(_ child: Child) -> Int32 {
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// Reads the pipe until every writer has closed it.
    static func readAll(_ descriptor: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        close(descriptor)
        return data
    }

    /// Runs the binary to completion; returns exit code, stdout and stderr.
    static func run(_ binary: URL, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let stderrPath = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)").path
        defer { unlink(stderrPath) }
        let child = try spawn(binary, arguments, stderrPath: stderrPath)
        let output = readAll(child.stdout)
        let status = wait(child)
        let errors = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        return (exitCode, String(decoding: output, as: UTF8.self), errors)
    }
}

/// A failed POSIX call in the test harness.
struct POSIXFailure: Error, CustomStringConvertible {
    let description: String
    init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
}

