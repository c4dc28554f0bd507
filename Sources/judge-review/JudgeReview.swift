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
            AgreementCommand.self,
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
}
