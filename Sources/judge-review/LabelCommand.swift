import ArgumentParser

/// CONTRACT STUB: `judge-review label`; replaced by the issue that delivers it.
struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "label", abstract: "(not built yet)")

    func run() throws {
        throw ValidationError("judge-review label is not built yet")
    }
}
