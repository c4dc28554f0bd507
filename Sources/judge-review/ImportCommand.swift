import ArgumentParser

/// CONTRACT STUB: `judge-review import`; replaced by the issue that delivers it.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "(not built yet)")

    func run() throws {
        throw ValidationError("judge-review import is not built yet")
    }
}
