import Foundation
import Testing
@testable import ReviewCore
@testable import ReviewConsole
import ReviewTestSupport

@Suite("Console over the study index")
struct IndexedConsoleTests {
    /// A study with the fixture items, and its summaries read from the index (built by the first read).
    private func summaries() throws -> (TemporaryFolder, Study, Dataset) {
        let folder = try TemporaryFolder()
        let study = try Study.create(at: folder.url.appendingPathComponent("study", isDirectory: true))
        try Fixtures.dataset().write(to: study.itemsFile)
        _ = try study.dataset(settings: study.settings(), detail: .summaries)
        let dataset = try study.dataset(settings: study.settings(), detail: .summaries)
        #expect(dataset.textsLeftOut)
        return (folder, study, dataset)
    }

    @Test("the console shows each item's texts read from the file, and labels it with the index's hash")
    func showsTexts() throws {
        let (folder, _, dataset) = try summaries()
        defer { folder.remove() }
        let full = Fixtures.dataset()
        var state = Fixtures.state(dataset: dataset)
        for index in full.items.indices {
            let shown = try #require(state.currentItem)
            #expect(shown == full.items[index] && !shown.textsLeftOut, "item \(index)")
            _ = ConsoleReducer.reduce(&state, .next, now: Fixtures.start.addingTimeInterval(Double(index + 1)))
        }
        var fresh = Fixtures.state(dataset: dataset)
        let effects = ConsoleReducer.reduce(&fresh, .answer("yes"), now: Fixtures.start.addingTimeInterval(8))
        let event = try #require(effects.compactMap { if case .appendLabel(let event) = $0 { event } else { nil } }.first)
        #expect(event.itemSHA256 == full.items[0].contentHash)
        // Search reads the texts too: a word only the third item's context has finds it.
        #expect(ConsoleReducer.matches(ConsoleState.shown(dataset.items[2], at: 2, in: dataset), "strange"))
    }

    @Test("an item whose line was changed in place after the index was read cannot be answered, shown or not")
    func changedInPlace() throws {
        for (old, new, placeholder) in [("\"id\":\"i1\"", "\"id\":\"x1\"", true), ("Would you like", "Could you like", false)] {
            let (folder, study, dataset) = try summaries()
            defer { folder.remove() }
            // Edited in place, same length: another id (the line no longer holds the indexed item: not shown), or
            // another response under the old stored hash (shown, as a full read shows it, and refused as edited).
            var bytes = try Data(contentsOf: study.itemsFile)
            let range = try #require(bytes.firstRange(of: Data(old.utf8)))
            bytes.replaceSubrange(range, with: Data(new.utf8))
            let handle = try FileHandle(forWritingTo: study.itemsFile)
            try handle.write(contentsOf: bytes)
            try handle.close()
            var state = Fixtures.state(dataset: dataset)
            let shown = try #require(state.currentItem)
            #expect(shown.textsLeftOut == placeholder && (shown.response == ConsoleState.unreadableText) == placeholder)
            let effects = ConsoleReducer.reduce(&state, .answer("yes"), now: Fixtures.start.addingTimeInterval(8))
            #expect(!effects.contains { if case .appendLabel = $0 { true } else { false } }, "\(new)")
            #expect(state.messageIsError)
        }
    }
}
