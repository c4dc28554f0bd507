import ArgumentParser

/// CONTRACT STUB: `judge-review demo`; replaced by the issue that delivers it.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "(not built yet)")

    func run() throws {
        throw ValidationError("judge-review demo is not built yet")
    }
}
