import ArgumentParser

/// CONTRACT STUB: `judge-review adjudicate`; replaced by the issue that delivers it.
struct AdjudicateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "adjudicate", abstract: "(not built yet)")

    func run() throws {
        throw ValidationError("judge-review adjudicate is not built yet")
    }
}
