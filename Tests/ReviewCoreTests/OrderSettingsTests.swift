import Foundation
import Testing
import ReviewCore

@Suite("Rater names and order settings")
struct OrderSettingsTests {
    @Test("rater names", arguments: [
        ("alice", true), ("dr.bob_2-x", true), ("judge:gpt", false), ("JUDGE:x", false), ("", false),
        (".hidden", false), ("a b", false), ("a/b", false), ("élise", false), (String(repeating: "a", count: 65), false),
    ])
    func raterNames(name: String, valid: Bool) {
        #expect((RaterName.problem(with: name) == nil) == valid)
    }

    @Test("order: options win, then the stored settings, then file order")
    func orderResolution() throws {
        let stored = OrderSettings(order: "shuffled", seed: 9)
        let draw: () -> UInt64 = { 77 }
        #expect(try OrderSettings.resolve(order: nil, seed: nil, stored: nil, randomSeed: draw) == .file)
        #expect(try OrderSettings.resolve(order: nil, seed: nil, stored: stored, randomSeed: draw) == stored)
        #expect(try OrderSettings.resolve(order: .file, seed: nil, stored: stored, randomSeed: draw) == .file)
        #expect(try OrderSettings.resolve(order: .shuffled, seed: nil, stored: stored, randomSeed: draw) == stored)
        #expect(try OrderSettings.resolve(order: .shuffled, seed: nil, stored: nil, randomSeed: draw) == OrderSettings(order: "shuffled", seed: 77))
        #expect(try OrderSettings.resolve(order: nil, seed: 5, stored: stored, randomSeed: draw) == OrderSettings(order: "shuffled", seed: 5))
        #expect(throws: (any Error).self) { try OrderSettings.resolve(order: .file, seed: 5, stored: nil, randomSeed: draw) }
    }

    @Test("order settings round-trip; a malformed file names file and line")
    func orderFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jr-order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = OrderSettings.url(folder: folder, rater: "alice")
        #expect(url.lastPathComponent == "alice.order.json")
        #expect(try OrderSettings.load(from: url) == nil)
        try OrderSettings(order: "shuffled", seed: 42).write(to: url, groupReadable: false)
        #expect(try OrderSettings.load(from: url) == OrderSettings(order: "shuffled", seed: 42))
        try Data("{\"order\": \"sideways\"}".utf8).write(to: url)
        #expect(throws: InputError.self) { try OrderSettings.load(from: url) }
        try Data("not json".utf8).write(to: url)
        do {
            _ = try OrderSettings.load(from: url)
            Issue.record("a malformed order file was accepted")
        } catch let error as InputError {
            #expect(error.description.hasPrefix("\(url.path):1:"))
        }
    }

    @Test("an order file that is a symbolic link is refused, and saving over it does not follow it")
    func orderFileLink() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jr-order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("elsewhere.json")
        try Data("{\"order\": \"file\"}".utf8).write(to: target)
        let url = OrderSettings.url(folder: folder, rater: "alice")
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target.path)
        let error = #expect(throws: InputError.self) { _ = try OrderSettings.load(from: url) }
        #expect(error?.message.contains("symbolic link") == true)
        #expect(throws: (any Error).self) { try OrderSettings(order: "shuffled", seed: 3).write(to: url, groupReadable: false) }
        #expect(try String(contentsOf: target, encoding: .utf8) == "{\"order\": \"file\"}")
    }
}
