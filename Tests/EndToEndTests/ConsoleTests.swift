import Foundation
import ReviewCore
import Testing

/// The real binary in tmux: start, keys, screen, exit, terminal state.
@Suite("console in tmux", .serialized,
       .enabled(if: EndToEnd.tmux != nil, "tmux is not installed: end-to-end console tests skipped"),
       .enabled(if: EndToEnd.binary != nil, "judge-review is not built (run swift build)"))
struct ConsoleTests {
    /// A temp folder with the small dataset and a tmux session running `label` on it.
    struct Fixture {
        let folder: URL
        let dataset: URL
        var annotations: URL { folder.appendingPathComponent("notes") }

        init() throws {
            folder = try EndToEnd.temporaryFolder()
            dataset = try SmallDataset.write(in: folder)
        }

        func labelArguments(_ extra: [String] = []) -> [String] {
            ["label", dataset.path, "--rater", "e2e-rater", "--annotations", annotations.path] + extra
        }

        func start(_ extra: [String] = [], environment: [String: String] = [:], columns: Int = 100, rows: Int = 30) throws -> TmuxSession {
            let session = try TmuxSession(shellCommand: wrappedCommand(labelArguments(extra)), columns: columns, rows: rows,
                                          environment: environment, folder: folder)
            try session.waitForCursesMode()
            return session
        }

        func events() throws -> [LabelEvent] {
            let file = annotations.appendingPathComponent("e2e-rater.jsonl")
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
            let decoder = LabelEvent.makeDecoder()
            return try JSONLines.lines(of: text).map { try decoder.decode(LabelEvent.self, from: Data($0.1.utf8)) }
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    @Test("starts and quits cleanly under each TERM", arguments: ["xterm-256color", "screen", "tmux-256color", "linux", "vt100"])
    func terms(term: String) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let session = try fixture.start(environment: ["TERM": term])
        defer { session.kill() }
        if EndToEnd.labelConsoleIsReal { try session.wait(forText: "e2e-rater") }
        try session.send("q")
        let screen = try session.wait(forText: "JR-EXIT=")
        #expect(screen.contains("JR-EXIT=0"))
        #expect(screen.contains("TTY-RESTORED"))
        #expect(screen.contains("0 labels this session, saved to"))
        #expect(screen.contains("e2e-rater.jsonl; file order"))
    }

    @Test("Ctrl-C leaves the console with the terminal restored")
    func controlC() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let session = try fixture.start()
        defer { session.kill() }
        try session.send("C-c")
        let screen = try session.wait(forText: "JR-EXIT=")
        #expect(screen.contains("TTY-RESTORED"))
        #expect(screen.contains("JR-EXIT=130"))
    }

    @Test("SIGTERM and SIGHUP also restore the terminal", arguments: ["TERM", "HUP"])
    func signals(signal: String) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let session = try fixture.start()
        defer { session.kill() }
        // The pane's shell is the parent of the judge-review started for this fixture: signal it by id.
        let shell = try #require(Int32(session.panePID()))
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        let child = try #require(children.split(separator: " ").compactMap { Int32($0) }.first)
        #expect(kill(child, signal == "TERM" ? SIGTERM : SIGHUP) == 0)
        let screen = try session.wait(forText: "JR-EXIT=")
        #expect(screen.contains("TTY-RESTORED"))
        #expect(!screen.contains("JR-EXIT=0"))
    }

    @Test("a shuffled order's seed is printed, remembered and reused")
    func orderSettings() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let first = try fixture.start(["--order", "shuffled", "--seed", "42"])
        try first.send("q")
        #expect(try first.wait(forText: "JR-EXIT=").contains("order shuffled, seed 42"))
        first.kill()
        let settings = try String(contentsOf: fixture.annotations.appendingPathComponent("e2e-rater.order.json"), encoding: .utf8)
        #expect(settings.contains("\"seed\":42"))
        #expect(settings.contains("\"order\":\"shuffled\""))

        let again = try fixture.start()
        defer { again.kill() }
        try again.send("q")
        let screen = try again.wait(forText: "JR-EXIT=")
        #expect(screen.contains("order shuffled, seed 42"))
        #expect(screen.contains("JR-EXIT=0"))
    }

    @Test("survives resizing, below the minimum too, and redraws")
    func resize() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let session = try fixture.start()
        defer { session.kill() }
        try session.resize(columns: 60, rows: 20)
        if EndToEnd.labelConsoleIsReal {
            try session.wait(forText: "too small")
        } else {
            usleep(300_000)
        }
        try session.resize(columns: 120, rows: 40)
        if EndToEnd.labelConsoleIsReal {
            let screen = try session.wait(forText: "e2e-rater")
            #expect(!screen.contains("too small"))
        } else {
            usleep(300_000)
        }
        try session.send("q")
        let screen = try session.wait(forText: "JR-EXIT=")
        #expect(screen.contains("JR-EXIT=0"))
        #expect(screen.contains("TTY-RESTORED"))
    }
}
