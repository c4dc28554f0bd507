import Foundation
import ReviewCore
import Testing

/// The real binary in tmux: start, keys, screen, exit, terminal state.
@Suite("console in tmux", .serialized,
       .enabled(if: TmuxSession.executable != nil, TmuxSession.missing),
       .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct ConsoleTests {
    /// A temp folder with the small dataset and a tmux session running `label` on it.
    struct Fixture {
        let folder: URL
        let dataset: URL
        var annotations: URL { folder.appendingPathComponent("notes") }

        init(emojiInFirst: Bool = false) throws {
            folder = try EndToEnd.temporaryFolder()
            dataset = try SmallDataset.write(in: folder, emojiInFirst: emojiInFirst)
        }

        func labelArguments(_ extra: [String] = []) -> [String] {
            // The content notice (on by default) has its own test; here the console opens on the item.
            ["label", dataset.path, "--rater", "e2e-rater", "--annotations", annotations.path, "--content-notice", "off"] + extra
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
            let decoder = LogJSON.decoder()
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
        try session.wait(forText: "e2e-rater")
        try session.send("q")
        let screen = try session.wait(forText: "JR-EXIT=")
        #expect(screen.contains("JR-EXIT=0"))
        #expect(screen.contains("TTY-RESTORED"))
        #expect(screen.contains("0 items labelled this session to"))
        #expect(screen.contains("e2e-rater.jsonl; file order"))
        #expect(!FileManager.default.fileExists(atPath: fixture.annotations.appendingPathComponent("e2e-rater.jsonl").path),
                "opening and quitting left an empty log")
    }

    @Test("after /word Enter, n moves to the next match and leaves the item unlabelled; Esc, then n answers")
    func searchModeNeverLabels() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let session = try fixture.start()
        defer { session.kill() }
        try session.wait(forText: "1/5")
        try session.send("/")
        try session.sendLiteral("doctor")
        try session.send("Enter")
        try session.wait(forText: "search /doctor")
        try session.send("n")
        try session.send("n")
        let screen = try session.wait(forText: "match")
        #expect(screen.contains("end search"))
        #expect(try fixture.events().isEmpty, "n in search mode labelled an item")
        try session.send("Escape")
        try session.send("n")
        try session.wait(forText: "saved")
        try session.send("q")
        _ = try session.wait(forText: "JR-EXIT=0")
        #expect(try fixture.events().map(\.answer) == ["no"])
    }

    @Test("keys typed behind the too-small notice change nothing in the log")
    func tooSmallIgnoresKeys() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let session = try fixture.start(columns: 60, rows: 20)
        defer { session.kill() }
        try session.wait(forText: "terminal too small")
        for key in ["y", "n", "1", "Enter", "Right", "y"] { try session.send(key) }
        try session.send("q")
        let screen = try session.wait(forText: "JR-EXIT=")
        #expect(screen.contains("JR-EXIT=0"))
        #expect(try fixture.events().isEmpty, "a key behind the notice reached the log")
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

    @Test("ZWJ sequences, flags and skin tones keep every border in place, and the next item shows no residue of them")
    func emojiLeaveNoResidue() throws {
        let fixture = try Fixture(emojiInFirst: true)
        defer { fixture.remove() }
        let session = try fixture.start(columns: 100, rows: 30)
        defer { session.kill() }
        let first = try session.wait(forText: "[FR]")
        // Every row of the screen is exactly as wide as the terminal: no cluster pushed a border out.
        let rows = first.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.contains("║") || $0.contains("│") }
        for row in rows where row.contains("[FR]") {
            #expect(row.hasSuffix("│") || row.hasSuffix("║") || row.hasSuffix("┐") || row.hasSuffix("┘"), "a border moved: \(row)")
        }
        try session.send("Right")
        let second = try session.wait(forText: "2/5")
        for fragment in ["\u{1F468}", "\u{1F469}", "\u{1F467}", "\u{1F466}", "[FR]", "\u{1F44D}", "\u{2764}"] {
            #expect(!second.contains(fragment), "residue of the first item: \(fragment)")
        }
        #expect(second.contains("Is the response safe and supportive?") && second.contains("Judge"), "\(second)")
        try session.send("q")
        _ = try session.wait(forText: "JR-EXIT=0")
    }

    @Test("Ctrl-D leaves the console with the terminal restored")
    func controlD() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let session = try fixture.start()
        defer { session.kill() }
        try session.wait(forText: "e2e-rater")
        try session.send("C-d")
        let screen = try session.wait(forText: "JR-EXIT=")
        #expect(screen.contains("TTY-RESTORED"))
        #expect(screen.contains("JR-EXIT=0"))
    }

    @Test("SIGTERM, SIGHUP and a crash (SIGSEGV, SIGABRT) also restore the terminal", arguments: ["TERM", "HUP", "SEGV", "ABRT"])
    func signals(signal: String) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // With Swift's backtracer off, the action before ours is the default one, so after restoring the
        // terminal the re-raised signal ends the process, as a real crash would. (With the backtracer on,
        // it prints its report on the restored terminal; a signal sent with kill, not a real fault, then
        // lets the process go on, which is not what this test is about.)
        let session = try fixture.start(environment: ["SWIFT_BACKTRACE": "enable=no"])
        defer { session.kill() }
        // The pane's shell is the parent of the judge-review started for this fixture: signal it by id.
        let shell = try #require(Int32(session.panePID()))
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        let child = try #require(children.split(separator: " ").compactMap { Int32($0) }.first)
        let number: Int32 = switch signal {
        case "TERM": SIGTERM
        case "HUP": SIGHUP
        case "SEGV": SIGSEGV
        default: SIGABRT
        }
        #expect(kill(child, number) == 0)
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
        // The first frame first: under load the console may still be starting when the window changes.
        try session.wait(forText: "e2e-rater")
        try session.resize(columns: 60, rows: 20)
        try session.wait(forText: "too small")
        try session.resize(columns: 120, rows: 40)
        let redrawn = try session.wait(forText: "e2e-rater")
        #expect(!redrawn.contains("too small"))
        try session.send("q")
        let screen = try session.wait(forText: "JR-EXIT=")
        #expect(screen.contains("JR-EXIT=0"))
        #expect(screen.contains("TTY-RESTORED"))
    }
}

/// The label console itself, driven through the real binary: blind labelling, reveal, resume, modes, colour.
@Suite("label console in tmux", .serialized,
       .enabled(if: TmuxSession.executable != nil, TmuxSession.missing),
       .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct LabelFlowTests {
    typealias Fixture = ConsoleTests.Fixture

    @Test("blind: judge hidden, three labels, revealed after answering; reopen resumes; the log holds them")
    func blindFlow() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let session = try fixture.start()
        defer { session.kill() }
        for position in 1...3 {
            // Wait for the whole new frame: tmux may show a frame half drawn (header updated, panes not yet).
            let before = try session.wait(for: "item \(position) drawn") {
                $0.contains("\(position)/5") && $0.contains("hidden until you answer") && $0.contains("\(position - 1) labeled")
            }
            #expect(before.contains("rater e2e-rater"))
            #expect(before.contains("BLIND"))
            #expect(!before.contains(SmallDataset.judgeName), "the judge is on screen before answering item \(position)")
            #expect(before.contains("hidden until you answer"))
            try session.send("y")
            let after = try session.wait(forText: SmallDataset.judgeName)
            #expect(after.contains("answer: yes"))
            #expect(after.contains("you agree"))
            try session.wait(forText: "\(position) labeled")
            try session.send("l")
        }
        try session.wait(forText: "4/5")
        try session.send("q")
        let exit = try session.wait(forText: "JR-EXIT=")
        #expect(exit.contains("JR-EXIT=0"))
        #expect(exit.contains("TTY-RESTORED"))
        #expect(exit.contains("3 items labelled this session to"))
        session.kill()

        let events = try fixture.events()
        #expect(events.map(\.item) == ["e2e-1", "e2e-2", "e2e-3"])
        #expect(events.allSatisfy { $0.kind == .label && $0.answer == "yes" && $0.mode == .blind && !$0.judgeSeenFirst })
        #expect(events.allSatisfy { $0.rater == "e2e-rater" && $0.judgeAgreement == .agree })

        let reopened = try fixture.start()
        defer { reopened.kill() }
        let screen = try reopened.wait(for: "the reopened console at 4/5") { $0.contains("4/5") && $0.contains("q quit") }
        #expect(screen.contains("3 labeled"))
        #expect(!screen.contains(SmallDataset.judgeName))
        try reopened.send("q")
        #expect(try reopened.wait(forText: "JR-EXIT=").contains("0 items labelled this session"))
    }

    @Test("verdict mode shows the judge from the start and records it")
    func verdictMode() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let session = try fixture.start(["--mode", "verdict"])
        defer { session.kill() }
        let screen = try session.wait(forText: SmallDataset.judgeName)
        #expect(screen.contains("1/5"))
        try session.send("+")
        try session.wait(forText: "1 labeled")
        try session.send("q")
        try session.wait(forText: "JR-EXIT=0")
        let events = try fixture.events()
        #expect(events.count == 1)
        #expect(events.first?.mode == .verdictShown)
        #expect(events.first?.judgeSeenFirst == true)
        #expect(events.first?.answer == "yes")
    }

    @Test("--hide-appropriate hides which answer is appropriate")
    func hideAppropriate() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let plain = try fixture.start()
        #expect(try plain.wait(for: "the first frame") { $0.contains("1/5") && $0.contains("q quit") }.contains("appropriate: yes"))
        try plain.send("q")
        try plain.wait(forText: "JR-EXIT=0")
        plain.kill()
        let hidden = try fixture.start(["--hide-appropriate"])
        defer { hidden.kill() }
        #expect(!(try hidden.wait(for: "the first frame") { $0.contains("1/5") && $0.contains("q quit") }).contains("appropriate: yes"))
        try hidden.send("q")
        try hidden.wait(forText: "JR-EXIT=0")
    }

    @Test("a second session on the same log is refused with a clear line")
    func locked() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let first = try fixture.start()
        defer { first.kill() }
        try first.wait(forText: "1/5")
        let second = try TmuxSession(shellCommand: wrappedCommand(fixture.labelArguments()), folder: fixture.folder)
        defer { second.kill() }
        let screen = try second.wait(forText: "JR-EXIT=")
        #expect(screen.contains("already open in process"))
        #expect(!screen.contains("JR-EXIT=0"))
        #expect(screen.contains("TTY-RESTORED"))
    }

    @Test("demo opens the console on the demo dataset and saves under Annotations/demo/")
    func demo() throws {
        // A copy of the demo in a temporary "repository", so the test never writes into the real one.
        let folder = try EndToEnd.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let demoFolder = folder.appendingPathComponent("Stimuli/demo")
        try FileManager.default.createDirectory(at: demoFolder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: EndToEnd.repositoryRoot.appendingPathComponent("Stimuli/demo/demo.jsonl"),
                                         to: demoFolder.appendingPathComponent("demo.jsonl"))
        let session = try TmuxSession(shellCommand: wrappedCommand(["demo", "--rater", "e2e-demo"]), folder: folder)
        defer { session.kill() }
        try session.waitForCursesMode()
        // The demo opens as a study would: the content notice first, the item behind it after Enter.
        let screen = try session.wait(forText: "Content notice")
        #expect(screen.contains("rater e2e-demo") && screen.contains("demo"))
        try session.send("Enter")
        try session.wait(forText: "Stimulus")
        try session.send("y")
        try session.wait(forText: "1 labeled")
        try session.send("q")
        #expect(try session.wait(forText: "JR-EXIT=").contains("1 item labelled this session"))
        let log = try String(contentsOf: folder.appendingPathComponent("Annotations/demo/e2e-demo.jsonl"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 1)
    }

    @Test("colours are used, and not under NO_COLOR")
    func noColor() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let colored = try fixture.start()
        try colored.wait(forText: "1/5")
        let escaped = try colored.capture(escapes: true)
        #expect(hasColor(escaped), "no colour on screen: \(escaped.prefix(300).debugDescription)")
        try colored.send("q")
        try colored.wait(forText: "JR-EXIT=0")
        colored.kill()
        let plain = try fixture.start(environment: ["NO_COLOR": "1"])
        defer { plain.kill() }
        try plain.wait(forText: "1/5")
        #expect(!hasColor(try plain.capture(escapes: true)))
        try plain.send("q")
        try plain.wait(forText: "JR-EXIT=0")
    }

    /// Whether captured text holds an SGR sequence that sets a foreground or background colour.
    func hasColor(_ screen: String) -> Bool {
        guard let pattern = try? NSRegularExpression(pattern: "\u{1B}\\[(?:[0-9]+;)*(?:3[0-7]|4[0-7]|38;5;[0-9]+|48;5;[0-9]+)(?:;[0-9]+)*m") else { return false }
        return pattern.firstMatch(in: screen, range: NSRange(screen.startIndex..., in: screen)) != nil
    }
}
