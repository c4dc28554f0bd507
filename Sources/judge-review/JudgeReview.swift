import ArgumentParser
import ReviewCore

/// The `judge-review` command: a review console for LLM-judge verdicts on mental-health responses.
@main
struct JudgeReview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge-review",
        abstract: "Check an LLM judge's verdicts with clinicians, and measure agreement.",
        version: ToolVersion.current,
        subcommands: [
            DemoCommand.self,
            InitCommand.self,
            LabelCommand.self,
            ImportCommand.self,
            StimuliCommand.self,
            StatusCommand.self,
            CheckCommand.self,
            SyncCommand.self,
            AgreementCommand.self,
            JudgeCommand.self,
            AdjudicateCommand.self,
            ExportCommand.self,
            SampleCommand.self,
            AssignCommand.self,
            PlanCommand.self,
            ReportCommand.self,
            StoreStressCommand.self,
            DocsCommand.self,
        ]
    )

    /// Runs the command the arguments name; a command line the parser refuses (an unknown option, a value that is
    /// not one of the choices, a missing argument) is one line, `judge-review <command>: <message>`, and exit
    /// status 64, as every command's own usage errors are (`ExitStatus`). Help and `--version` print as usual.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            guard exitCode(for: error) == ExitStatus.usage, !(error is ExitCode) else { exit(withError: error) }
            let named = arguments.first { name in configuration.subcommands.contains { $0.configuration.commandName == name } }
            let sub = named.flatMap { name in configuration.subcommands.first { $0.configuration.commandName == name } }
            let nested = sub.flatMap { parent in
                arguments.dropFirst().first { name in parent.configuration.subcommands.contains { $0.configuration.commandName == name } }
            }
            let command = [named, nested].compactMap { $0 }.joined(separator: " ")
            CommandOutput.error(command: command.isEmpty ? nil : command, message(for: error))
            exit(withError: ExitStatus.usage)
        }
    }
}
