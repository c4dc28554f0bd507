import ArgumentParser

/// CONTRACT STUB: `judge-review export`; replaced by the issue that delivers it.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "(not built yet)")

    func run() throws {
        throw ValidationError("judge-review export is not built yet")
    }
}
