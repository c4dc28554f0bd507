import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The failure a screen wait reports, with the screen as it was.
struct ScreenTimeout: Error, CustomStringConvertible {
    var waitingFor: String
    var screen: String
    var description: String { "timed out waiting for \(waitingFor); screen was:\n\(screen)" }
}

/// One tmux server on its own socket (`-L`, no configuration file), running one shell command in a detached
/// session of a fixed size, driven with send-keys and read with capture-pane.
final class TmuxSession {
    /// tmux's path, when it is installed.
    static let executable: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The skip message of tests that need tmux.
    static let missing: Comment = "tmux is not installed: end-to-end console tests skipped"

    /// This session's own server socket, so that tests never meet each other's (or the user's) server.
    let socket = "jr-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
    private let tmux: String
    private var killed = false

    /// Starts `shellCommand` (run by sh in `folder`) in a `columns`×`rows` pane; `environment` is exported for it.
    /// The shell stays after the command ends, so its last words and the terminal state can still be read.
    init(shellCommand: String, columns: Int = 100, rows: Int = 30, environment: [String: String] = [:], folder: URL) throws {
        guard let tmux = Self.executable else { throw POSIXFailure(message: Self.missing.rawValue) }
        self.tmux = tmux
        let exports = environment.map { "export \($0.key)=\(EndToEnd.shellQuoted($0.value)); " }.joined()
        let script = "cd \(EndToEnd.shellQuoted(folder.path)); \(exports)\(shellCommand); exec sleep 600"
        try run(["new-session", "-d", "-x", "\(columns)", "-y", "\(rows)", "-s", "e2e", "sh", "-c", script])
    }

    deinit { kill() }

    /// Runs one tmux client command on this session's server and returns its output; a failing command throws
    /// with what tmux said.
    @discardableResult
    private func run(_ arguments: [String]) throws -> String {
        // The tests may run inside tmux, and the runner may set NO_COLOR; a test that wants it sets it itself.
        let outcome = try Subprocess.run(
            tmux, ["-L", socket, "-f", "/dev/null"] + arguments, environment: ["TMUX": nil, "NO_COLOR": nil])
        guard outcome.status == 0 else {
            throw POSIXFailure(message: "tmux \(arguments.joined(separator: " ")) ended with \(outcome.status): \(outcome.stderr)")
        }
        return outcome.stdout
    }

    /// Sends keys in tmux's notation (e.g. "q", "Enter", "C-c", "Right").
    func send(_ keys: String...) throws {
        try run(["send-keys", "-t", "e2e"] + keys)
    }

    /// Types `text` as it is (no key names).
    func sendLiteral(_ text: String) throws {
        try run(["send-keys", "-t", "e2e", "-l", text])
    }

    /// The pane's text now, wrapped lines joined; with `escapes`, including colour and attribute sequences.
    func capture(escapes: Bool = false) throws -> String {
        try run(["capture-pane", "-p", "-J", "-t", "e2e"] + (escapes ? ["-e"] : []))
    }

    /// The process id of the pane's shell.
    func panePID() throws -> String {
        try run(["display-message", "-p", "-t", "e2e", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits until the program in the pane has put its terminal in curses mode (canonical input off),
    /// which does not depend on what it draws, nor on seeing a marker before the screen is cleared.
    func waitForCursesMode(timeout: Double = 30) throws {
        let tty = try run(["display-message", "-p", "-t", "e2e", "#{pane_tty}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let fd = open(tty, O_RDONLY | O_NOCTTY | O_NONBLOCK)
            if fd >= 0 {
                var settings = termios()
                let ok = tcgetattr(fd, &settings) == 0
                close(fd)
                if ok && settings.c_lflag & tcflag_t(ICANON) == 0 { return }
            }
            usleep(50_000)
        }
        throw ScreenTimeout(waitingFor: "curses mode on \(tty)", screen: (try? capture()) ?? "")
    }

    /// Resizes the window.
    func resize(columns: Int, rows: Int) throws {
        try run(["resize-window", "-t", "e2e", "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// Polls the pane until `condition` holds on a settled screen, or fails after `timeout` seconds with the last screen.
    @discardableResult
    func wait(for what: String, timeout: Double = 30, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if condition(screen) {
                // tmux can show a frame half drawn (the header new, the panes not yet): only a screen that stays
                // the same for a moment is a finished frame, since the console then sits waiting for a key.
                usleep(80_000)
                let again = try capture()
                if again == screen { return screen }
                continue
            }
            usleep(100_000)
        }
        throw ScreenTimeout(waitingFor: what, screen: screen)
    }

    /// Polls until the pane shows `text`.
    @discardableResult
    func wait(forText text: String, timeout: Double = 30) throws -> String {
        try wait(for: "\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    /// Ends the pane's processes, then the session and the server; safe to call twice.
    ///
    /// The pane's process group is killed first: a shell that inherited an ignored SIGHUP would otherwise
    /// outlive the session and keep the server waiting. kill-session before kill-server: the latter alone was
    /// seen to leave the server running.
    func kill() {
        guard !killed else { return }
        killed = true
        let pids = ((try? run(["display-message", "-p", "-t", "e2e", "#{pane_pid} #{pid}"])) ?? "")
            .split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        if let pane = pids.first, pane > 1 {
            Glibc.kill(-pane, SIGKILL)
            Glibc.kill(pane, SIGKILL)
        }
        _ = try? run(["kill-session", "-t", "e2e"])
        _ = try? run(["kill-server"])
        if pids.count > 1, pids[1] > 1, Glibc.kill(pids[1], 0) == 0 { Glibc.kill(pids[1], SIGKILL) }
        let folder = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        unlink("\(folder)/tmux-\(getuid())/\(socket)")
    }
}

/// A shell command that runs judge-review, then reports whether the terminal settings came back and the exit status.
func wrappedCommand(_ arguments: [String]) -> String {
    let binary = EndToEnd.binary?.path ?? "judge-review"
    let command = ([binary] + arguments).map(EndToEnd.shellQuoted).joined(separator: " ")
    // `trap : INT` keeps this shell alive through Ctrl-C (the program still gets the default action).
    return "trap : INT; before=$(stty -g); echo JR-START; \(command); code=$?; "
        + "if [ \"$before\" = \"$(stty -g)\" ]; then echo TTY-RESTORED; else echo TTY-CHANGED; fi; echo JR-EXIT=$code"
}
