import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where the end-to-end tests find the repository, the built `judge-review` and scratch folders, and how they run it.
enum EndToEnd {
    /// The repository's top folder, from this file's path (Tests/EndToEndTests/Support/BuiltBinary.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The skip message of tests that need the built binary.
    static let binaryMissing: Comment = "judge-review is not built beside the test bundle nor in .build/debug (run swift build)"

    /// The built `judge-review`: the one `JUDGE_REVIEW_BINARY` names (CI runs the console suites again on the
    /// release build this way), else beside the test bundle (a folder or a file), else `.build/debug/judge-review`.
    static let binary: URL? = {
        if let named = ProcessInfo.processInfo.environment["JUDGE_REVIEW_BINARY"], !named.isEmpty {
            let url = URL(fileURLWithPath: named, relativeTo: repositoryRoot).standardizedFileURL
            return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
        }
        var folders: [URL] = []
        if let testBinary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var folder = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
            // The bundle may be a folder (…/judge-reviewPackageTests.xctest/…) or a file.
            for _ in 0..<3 {
                folders.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        folders.append(Bundle.main.bundleURL)
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        folders.append(repositoryRoot.appendingPathComponent(".build/debug"))
        return folders.map { $0.appendingPathComponent("judge-review") }.first { candidate in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder) && !isFolder.boolValue
                && FileManager.default.isExecutableFile(atPath: candidate.path)
        }
    }()

    /// A fresh temporary folder whose name starts with `prefix`.
    /// Runs `/usr/bin/git` in `folder` (with a committer of its own, for machines where git has none) and returns
    /// its exit status and its output and errors together.
    static func git(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-C", folder.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryFolder(_ prefix: String = "jr-e2e") throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Quotes a string for sh.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Runs the built binary in `folder` without a terminal, `environment` added to the tests' own.
    static func run(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> Subprocess.Outcome {
        guard let binary else { throw POSIXFailure(message: binaryMissing.rawValue) }
        return try Subprocess.run(binary.path, arguments, in: folder, environment: environment)
    }
}

/// Starts programs with posix_spawn and reaps them with waitpid.
///
/// Not Foundation's Process: a tmux server forked by a child inherits the descriptors Process watches, and
/// `waitUntilExit` was then seen never to return. For the same reason `run` collects output in files, not pipes.
enum Subprocess {
    /// How a program ended and what it wrote.
    struct Outcome {
        /// The exit code, or 128 + the signal number when a signal ended it (as sh reports it).
        var status: Int32
        var stdout: String
        var stderr: String
        /// Standard output then standard error, for checks that do not care which one a message went to.
        var output: String { stdout + stderr }
    }

    /// A running child; `stdout` is the read end of its standard output's pipe, or -1 when it writes to a file.
    struct Child {
        let pid: pid_t
        let stdout: Int32
    }

    /// Where a child's standard output goes.
    enum Destination {
        /// A pipe the caller reads (`Child.stdout`).
        case pipe
        /// A file, created or truncated.
        case file(String)
    }

    /// Starts `executable` with `arguments`: stdin from /dev/null, stdout to `stdout`, stderr appended to
    /// `stderrPath`, in `folder` when given; `environment` is laid over this process's (nil removes a variable).
    static func spawn(
        _ executable: String, _ arguments: [String], in folder: URL? = nil, environment: [String: String?] = [:],
        stdout: Destination = .pipe, stderrPath: String
    ) throws -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let folder {
            guard let addChdir = addChdirAction else { throw POSIXFailure(message: "posix_spawn_file_actions_addchdir_np is not available") }
            _ = addChdir(&actions, folder.path)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var pipeEnds: [Int32] = [-1, -1]
        switch stdout {
        case .pipe:
            // Close-on-exec from the start: tests run in parallel, and a child another test spawns between
            // pipe() and fcntl() would inherit the write end and hold our reader open.
            guard let pipe2 = pipeWithFlags, pipe2(&pipeEnds, O_CLOEXEC) == 0 else { throw POSIXFailure("pipe2") }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)

        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
        guard result == 0 else {
            if pipeEnds[0] >= 0 { close(pipeEnds[0]) }
            throw POSIXFailure(message: "posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        return Child(pid: pid, stdout: pipeEnds[0])
    }

    /// glibc's `pipe2` (a GNU extension Swift's Glibc module leaves out), looked up at run time.
    private static let pipeWithFlags: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    }()

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), looked up at run time: Swift's Glibc module
    /// leaves out the GNU extensions of spawn.h.
    private static let addChdirAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    /// Waits for the child to exit; returns its raw wait status.
    static func wait(_ child: Child) -> Int32 {
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// Reads a descriptor until every writer has closed it, then closes it.
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

    /// Runs `executable` to completion (see `spawn`); returns its exit status, stdout and stderr.
    static func run(
        _ executable: String, _ arguments: [String], in folder: URL? = nil, environment: [String: String?] = [:]
    ) throws -> Outcome {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("jr-run-\(UUID().uuidString)").path
        let stdoutPath = base + ".out", stderrPath = base + ".err"
        defer {
            unlink(stdoutPath)
            unlink(stderrPath)
        }
        let child = try spawn(executable, arguments, in: folder, environment: environment, stdout: .file(stdoutPath), stderrPath: stderrPath)
        let status = wait(child)
        let signal = status & 0x7f
        return Outcome(
            status: signal == 0 ? (status >> 8) & 0xff : 128 + signal,
            stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }
}

/// A failed POSIX call, or a missing program, in the test harness.
struct POSIXFailure: Error, CustomStringConvertible {
    let description: String
    /// The failed call `what`, with errno's reason.
    init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
    /// A failure that is not a call's errno.
    init(message: String) { description = message }
}
