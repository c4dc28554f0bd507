import Foundation
import Testing

/// The repository root: up from Tests/EndToEndTests/<file>.swift.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The built `judge-review` binary beside the test bundle, if the build produced it.
private let binary: URL? = {
    let bundle = Bundle.main.bundleURL
    for folder in [bundle, bundle.deletingLastPathComponent()] {
        let candidate = folder.appendingPathComponent("judge-review")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
}()

/// Runs the binary in `folder`; returns exit status, stdout and stderr.
private func run(_ arguments: [String], in folder: URL) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = try #require(binary)
    process.arguments = arguments
    process.currentDirectoryURL = folder
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

@Suite("judge-review stimuli", .enabled(if: binary != nil, "judge-review is not built beside the test bundle"))
struct StimuliCommandTests {
    @Test("--check on the project's folder exits 0 with one OK line")
    func checkPasses() throws {
        let result = try run(["stimuli", "--check"], in: root)
        #expect(result.status == 0)
        #expect(result.out.hasPrefix("OK Stimuli: "))
        #expect(result.out.split(separator: "\n").count == 1)
    }

    @Test("the listing shows every acute stimulus, the vignettes and the answer scales")
    func listing() throws {
        let result = try run(["stimuli", "--width", "90"], in: root)
        #expect(result.status == 0)
        #expect(result.out.contains("si-01  suicidal ideation"))
        #expect(result.out.contains("Stigma vignettes (8)"))
        #expect(result.out.contains("probably unwilling*"))
        #expect(result.out.split(separator: "\n").allSatisfy { $0.count <= 90 })
    }

    @Test("--check on a broken copy exits 1 with a file:line error; --build-demo rebuilds identical files")
    func brokenCopyAndRebuild() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-stimuli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(at: root.appendingPathComponent("Stimuli"), to: scratch.appendingPathComponent("Stimuli"))

        let rebuild = try run(["stimuli", "--build-demo"], in: scratch)
        #expect(rebuild.status == 0)
        for path in ["Stimuli/demo/demo.jsonl", "Annotations/demo/clinician-a.jsonl", "Annotations/demo/clinician-b.jsonl"] {
            let built = try Data(contentsOf: scratch.appendingPathComponent(path))
            #expect(built == (try Data(contentsOf: root.appendingPathComponent(path))), "\(path)")
        }

        let file = scratch.appendingPathComponent("Stimuli/acute-symptoms.jsonl")
        var lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
        lines[1] = "{not json"
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try run(["stimuli", "--check"], in: scratch)
        #expect(result.status == 1)
        #expect(result.err.hasPrefix("error: Stimuli/acute-symptoms.jsonl:2: not a valid acute-symptom stimulus: invalid JSON"))
        #expect(result.out.isEmpty)
    }
}
