import Foundation

/// The one quit rule of both consoles: quit at once when nothing waits; when a record is not saved or typed text
/// lives only in memory, ask first, and quit only on a deliberate second answer (`Q` in the label console's box,
/// `q` again in the adjudication console).
public enum QuitRule {
    /// What `q` does now.
    public enum Decision: Equatable, Sendable {
        case quit
        /// Ask first: what would be lost.
        case ask(unsaved: Int, drafts: Int)
    }

    /// `unsaved`: records the store has not taken; `drafts`: typed text that is saved only with an answer not given yet.
    public static func decide(unsaved: Int, drafts: Int) -> Decision {
        unsaved == 0 && drafts == 0 ? .quit : .ask(unsaved: unsaved, drafts: drafts)
    }

    /// What would be lost, in words: `1 label is not saved yet; 1 note waits for an answer …`.
    public static func loss(unsaved: Int, drafts: Int, record: String, draft: String) -> String {
        var lost: [String] = []
        if unsaved > 0 { lost.append("\(unsaved) \(record)\(unsaved == 1 ? " is" : "s are") NOT saved yet") }
        if drafts > 0 { lost.append("\(drafts) \(draft)\(drafts == 1 ? " waits" : "s wait") for an answer (it is saved with its answer)") }
        return lost.joined(separator: "; ")
    }
}
