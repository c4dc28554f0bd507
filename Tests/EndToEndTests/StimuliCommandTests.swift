import Foundation
import Testing

@Suite("judge-review stimuli", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct StimuliCommandTests {
    @Test("--check on the project's folder exits 0 with one OK line")
    func checkPasses() throws {
        let result = try EndToEnd.run(["stimuli", "--check"], in: EndToEnd.repositoryRoot)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("OK Stimuli: "))
        #expect(result.stdout.split(separator: "\n").count == 1)
    }

    @Test("the listing shows every acute stimulus, the vignettes and the answer scales")
    func listing() throws {
        let result = try EndToEnd.run(["stimuli", "--width", "90"], in: EndToEnd.repositoryRoot)
        #expect(result.status == 0)
        #expect(result.stdout.contains("si-01  suicidal ideation"))
        #expect(result.stdout.contains("Stigma vignettes (8)"))
        #expect(result.stdout.contains("probably unwilling*"))
        #expect(result.stdout.split(separator: "\n").allSatisfy { $0.count <= 90 })
    }

    @Test("--check on a broken copy exits 1 with a file:line error; --build-demo rebuilds identical files")
    func brokenCopyAndRebuild() throws {
        let scratch = try EndToEnd.temporaryFolder("e2e-stimuli")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(at: EndToEnd.repositoryRoot.appendingPathComponent("Stimuli"), to: scratch.appendingPathComponent("Stimuli"))

        let rebuild = try EndToEnd.run(["stimuli", "--build-demo"], in: scratch)
        #expect(rebuild.status == 0)
        for path in ["Stimuli/demo/demo.jsonl", "Annotations/demo/clinician-a.jsonl", "Annotations/demo/clinician-b.jsonl"] {
            let built = try Data(contentsOf: scratch.appendingPathComponent(path))
            #expect(built == (try Data(contentsOf: EndToEnd.repositoryRoot.appendingPathComponent(path))), "\(path)")
        }

        let file = scratch.appendingPathComponent("Stimuli/acute-symptoms.jsonl")
        var lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
        lines[1] = "{not json"
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try EndToEnd.run(["stimuli", "--check"], in: scratch)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("judge-review stimuli: Stimuli/acute-symptoms.jsonl:2: not a valid acute-symptom stimulus: invalid JSON"))
        #expect(result.stdout.isEmpty)
    }
}
