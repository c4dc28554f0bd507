import ArgumentParser

/// CONTRACT STUB: `judge-review agreement`; replaced by the issue that delivers it.
struct AgreementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agreement", abstract: "(not built yet)")

    func run() throws {
        throw ValidationError("judge-review agreement is not built yet")
    }
}
