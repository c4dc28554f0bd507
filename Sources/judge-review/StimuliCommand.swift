import ArgumentParser

/// CONTRACT STUB: `judge-review stimuli`; replaced by the issue that delivers it.
struct StimuliCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stimuli", abstract: "(not built yet)")

    func run() throws {
        throw ValidationError("judge-review stimuli is not built yet")
    }
}
