import Foundation
import Testing

/// The docs pages generated from code (every command's help, every console key) are the files in docs/: a page
/// that no longer matches the code fails here with the command that regenerates it.
@Suite("Generated docs are not stale")
struct GeneratedDocsTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs")

    @Test("docs/cli.md and docs/keys.md equal what `judge-review docs cli|keys` prints",
          .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing), arguments: ["cli", "keys"])
    func fresh(page: String) throws {
        let folder = try EndToEnd.temporaryFolder("docs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let generated = try EndToEnd.run(["docs", page], in: folder)
        #expect(generated.status == 0, "\(generated.stderr)")
        let file = Self.docs.appendingPathComponent("\(page).md")
        let committed = try String(contentsOf: file, encoding: .utf8)
        #expect(generated.stdout == committed, "docs/\(page).md is stale: run `swift run judge-review docs \(page) > docs/\(page).md`")
    }
}
