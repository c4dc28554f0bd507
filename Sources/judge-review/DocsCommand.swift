import ArgumentParser
import ReviewConsole

/// `judge-review docs cli|keys`: the generated pages of docs/ (hidden; a test compares them with the files).
struct DocsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs",
        abstract: "Print a generated docs page: cli (every command's --help) or keys (the consoles' keymaps).",
        shouldDisplay: false)

    /// The generated pages.
    enum Page: String, ExpressibleByArgument, CaseIterable {
        case cli, keys
    }

    @Argument(help: "cli or keys.")
    var page: Page

    func run() throws {
        switch page {
        case .keys: print(KeyReference.markdown(), terminator: "")
        case .cli: print(Self.commandReference(), terminator: "")
        }
    }

    /// Every visible command's help, as the parser prints it, in the order `judge-review --help` lists them.
    static func commandReference() -> String {
        var out = "# Command reference\n\nGenerated from the argument parser's own help by `swift run judge-review docs cli > docs/cli.md`;\n"
        out += "a test fails when this page is stale. [commands.md](commands.md) explains each command with examples.\n"
        func add(_ command: ParsableCommand.Type, path: [String]) {
            let configuration = command.configuration
            guard configuration.shouldDisplay else { return }
            let name = (path + [configuration.commandName ?? ""]).joined(separator: " ")
            out += "\n## `\(name)`\n\n```\n" + JudgeReview.helpMessage(for: command, columns: 100).trimmingCharacters(in: .newlines) + "\n```\n"
            for sub in configuration.subcommands { add(sub, path: path + [configuration.commandName ?? ""]) }
        }
        for command in JudgeReview.configuration.subcommands { add(command, path: ["judge-review"]) }
        return out
    }
}
