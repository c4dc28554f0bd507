import ArgumentParser

/// CONTRACT STUB: `judge-review status`; replaced by the issue that delivers it.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "(not built yet)")

    func run() throws {
        throw ValidationError("judge-review status is not built yet")
    }
}
