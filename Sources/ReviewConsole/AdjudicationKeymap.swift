import Foundation
import ReviewCore

/// Where the adjudication console's keys are read.
public enum AdjudicationScope: String, Sendable, Hashable, CaseIterable {
    /// The queue of items to settle.
    case queue
    /// One item with the raters' answers.
    case item
    /// The one-line rationale editor, after an option key.
    case rationale = "rationale line"
    /// The help box.
    case help
    /// A session prompt before the open item (break, daily cap, content notice).
    case sessionPrompt = "breaks, notices"
}

/// When an adjudication binding is valid.
public enum AdjudicationCondition: BindingCondition {
    case always
    /// The open item's rater names are still hidden.
    case namesHidden
    /// A decision failed to save and waits for a retry.
    case unsavedDecision

    /// Whether the condition holds in `state`.
    public func holds(in state: AdjudicationState) -> Bool {
        switch self {
        case .always: true
        case .namesHidden: state.currentCase.map { !state.revealed.contains($0.item.id) } ?? false
        case .unsavedDecision: state.failedDecision != nil
        }
    }
}

/// Every named action of the adjudication console.
public enum AdjudicationAction: Sendable, Hashable {
    /// Choose this option as the final answer (the rationale line opens).
    case choose(String)
    /// Selection and scrolling.
    case up, down, pageUp, pageDown
    /// Moving between the queue and items.
    case open, back, previous, next
    /// Queue filters.
    case cycleKind, cycleCondition
    /// Reveal names, retry a failed save, help, quit.
    case reveal, retry, help, quit
    /// In the rationale line: a character, erase, save, cancel.
    case type(Character), erase, save, cancel
    /// Close the help box.
    case closeHelp
    /// Enter on a session prompt: go on.
    case dismissPrompt
    /// The terminal's size (the size as an action, as in the label console).
    case resize(TerminalSize)
    /// A key that means nothing here.
    case unboundKey
}

/// A binding of the adjudication console.
public typealias AdjudicationKeyBinding = KeyBinding<AdjudicationAction, AdjudicationScope, AdjudicationCondition>

/// The one table of the adjudication console's keys; the key bar, the help and dispatch are built from it.
public enum AdjudicationKeymap {
    private static func row(
        _ action: AdjudicationAction, _ keys: KeySet, _ keyLabel: String, _ label: String, _ help: String,
        _ scope: AdjudicationScope, when: AdjudicationCondition = .always, inKeyBar: Bool = true
    ) -> AdjudicationKeyBinding {
        AdjudicationKeyBinding(action: action, keys: keys, keyLabel: keyLabel, label: label, help: help, scope: scope, when: when, inKeyBar: inKeyBar)
    }

    private static func c(_ character: Character) -> Key { .character(character) }

    /// Every binding, in help order.
    public static let table: [AdjudicationKeyBinding] = {
        var rows: [AdjudicationKeyBinding] = [
            row(.open, .fixed([.enter]), "Enter", "open", "Open the selected item.", .queue),
            row(.cycleKind, .fixed([c("f")]), "f", "kind", "Filter by kind: all, acute-risk miss, other miss, human disagreement, false alarm.", .queue),
            row(.cycleCondition, .fixed([c("c")]), "c", "condition", "Filter by condition: all, then each condition in the queue.", .queue),
            row(.choose(""), .criterionOptions, "y n …", "answer",
                "Choose that answer (the label console's keys), then type a one-line rationale (required); Enter saves.", .item),
            row(.reveal, .fixed([c("r")]), "r", "reveal names", "Show the raters' names instead of R1, R2 (recorded in your log).", .item, when: .namesHidden),
            row(.previous, .fixed([.left, c("h")]), "← h", "prev", "The previous item in the queue.", .item),
            row(.next, .fixed([.right, c("l")]), "→ l", "next", "The next item in the queue.", .item),
            row(.retry, .fixed([.enter]), "Enter", "retry", "Retry saving a decision that could not be written.", .item, when: .unsavedDecision),
            row(.back, .fixed([.escape]), "Esc", "queue", "Back to the queue.", .item),
            row(.type(" "), .printable, "text", "type", "Type the rationale.", .rationale, inKeyBar: false),
            row(.save, .fixed([.enter]), "Enter", "save", "Save the decision with its rationale.", .rationale),
            row(.cancel, .fixed([.escape]), "Esc", "cancel", "Cancel the decision.", .rationale),
            row(.erase, .fixed([.backspace, .delete]), "⌫", "erase", "Erase the last character.", .rationale),
            row(.quit, .fixed([.control("d")]), "^D", "quit", "Quit (asks first when the rationale typed would be lost).", .rationale, inKeyBar: false),
            row(.closeHelp, .fixed([.escape, c("?"), c("q")]), "Esc ? q", "close", "Close the help.", .help),
            row(.down, .fixed([.down, c("j")]), "↓ j", "down", "Scroll the help down.", .help),
            row(.up, .fixed([.up, c("k")]), "↑ k", "up", "Scroll the help up.", .help),
            row(.pageDown, .fixed([.pageDown, c(" ")]), "PgDn", "page down", "Ten lines down.", .help, inKeyBar: false),
            row(.pageUp, .fixed([.pageUp]), "PgUp", "page up", "Ten lines up.", .help, inKeyBar: false),
            row(.dismissPrompt, .fixed([.enter]), "Enter", "go on", "Go on: after a break, past the daily cap, or to the item behind the notice.", .sessionPrompt),
            row(.quit, .fixed([c("q"), .control("d"), .control("c")]), "q", "quit", "Quit for now; decisions are saved as they are made.", .sessionPrompt),
        ]
        for scope in [AdjudicationScope.queue, .item] {
            rows += [
                row(.up, .fixed([.up, c("k")]), "↑ k", "up", scope == .queue ? "Select the previous item." : "Scroll the item text up.", scope, inKeyBar: false),
                row(.down, .fixed([.down, c("j")]), "↓ j", "down", scope == .queue ? "Select the next item." : "Scroll the item text down.", scope, inKeyBar: false),
                row(.pageUp, .fixed([.pageUp]), "PgUp", "page up", "Ten up.", scope, inKeyBar: false),
                row(.pageDown, .fixed([.pageDown]), "PgDn", "page down", "Ten down.", scope, inKeyBar: false),
                row(.help, .fixed([c("?")]), "?", "help", "Show this help.", scope),
                row(.quit, .fixed([c("q"), .control("d"), .control("c")]), "q", "quit", "Quit; decisions are saved as they are made.", scope),
            ]
        }
        return rows
    }()

    /// The scope keys are read in, given what is open.
    public static func scope(of state: AdjudicationState) -> AdjudicationScope {
        if state.showingHelp { return .help }
        if state.sessionPrompt != nil { return .sessionPrompt }
        if state.pendingAnswer != nil { return .rationale }
        return state.screen == .queue ? .queue : .item
    }

    /// The action a key means now, or nil when it means nothing here.
    public static func action(for key: Key, in state: AdjudicationState) -> AdjudicationAction? {
        let scope = scope(of: state)
        if scope == .item, let entry = state.currentCase, let option = Keymap.option(for: key, criterion: entry.item.criterion) {
            return .choose(option)
        }
        if let binding = AdjudicationKeyBinding.first(in: table, listeningTo: key, scope: scope) { return binding.action }
        if scope == .rationale, case .character(let character) = key, !character.isNewline { return .type(character) }
        return nil
    }

    /// Characters bound on the item screen, which option keys must not take (`Keymap.reservedCharacters`
    /// includes them).
    public static let reservedOnItemScreen: Set<Character> = {
        var result: Set<Character> = []
        for binding in table where binding.scope == .item {
            if case .fixed(let keys) = binding.keys { for case .character(let character) in keys { result.insert(character) } }
        }
        return result
    }()

    /// Short "key label" pairs for the key bar: the valid bindings of the scope, option keys spelled out.
    public static func keyBarEntries(for state: AdjudicationState) -> [(keys: String, label: String)] {
        let scope = scope(of: state)
        var entries: [(keys: String, label: String)] = []
        for binding in AdjudicationKeyBinding.valid(in: table, scope: scope, state: state) where binding.inKeyBar {
            if case .criterionOptions = binding.keys {
                if let entry = state.currentCase {
                    entries += Keymap.optionKeys(for: entry.item.criterion).map { (String($0.key), $0.option) }
                }
                continue
            }
            entries.append((binding.keyLabel, binding.label))
        }
        return entries
    }
}
