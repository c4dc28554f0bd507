import ReviewCore
/// Where the console's keys are read: the label screen, an overlay, or the status-line editor.
public enum KeyScope: String, Sendable, CaseIterable, Hashable {
    case labelScreen = "label screen"
    case help = "help"
    case agreement = "agreement screen"
    case picker = "menus"
    case prompt = "line editor"
    case confirmQuit = "quit question"
    /// The break prompt, the daily cap, the content notice and the practice feedback.
    case sessionPrompt = "breaks, notices, practice"
}

/// When a binding is valid (shown in the key bar and acted on without a complaint).
public enum KeyCondition: Sendable, Hashable {
    case always
    /// The item on screen has this rater's answer.
    case hasAnswer
    /// The judge's verdict is on screen and it is a verdict (agree / disagree make sense).
    case judgeVerdictVisible
    /// The judge's verdict is on screen for the item.
    case judgeRevealed
    case searchActive
    case canUndo
    case itemHasContext
    case failedSaves
    case filterOrSearchActive
    /// The search line is open and a search was run before.
    case searchPromptWithHistory

    /// Whether the condition holds in `state`.
    public func holds(in state: ConsoleState) -> Bool {
        switch self {
        case .always: true
        case .hasAnswer: state.currentLabel != nil
        case .judgeVerdictVisible: state.judgeRevealed && state.currentItem?.judgeVerdict != Verdict.noVerdict
        case .judgeRevealed: state.judgeRevealed
        case .searchActive: state.searchText != nil
        case .canUndo: state.canUndo
        case .itemHasContext: !(state.currentItem?.context.isEmpty ?? true)
        case .failedSaves: state.failedSaves > 0
        case .filterOrSearchActive: state.filter != nil || state.searchText != nil
        case .searchPromptWithHistory: state.prompt?.purpose == .search && state.lastSearch != nil
        }
    }
}

/// A binding of the label console.
public typealias LabelKeyBinding = KeyBinding<ConsoleAction, KeyScope, KeyCondition>

extension KeyCondition: BindingCondition {}

extension KeyBinding where Action == ConsoleAction, Scope == KeyScope, Condition == KeyCondition {
    /// A row of the label console's table (on the label screen, always valid, in the key bar unless told).
    public init(
        _ action: ConsoleAction, _ keys: KeySet, _ keyLabel: String, _ label: String, _ help: String,
        scope: KeyScope = .labelScreen, when: KeyCondition = .always, inKeyBar: Bool = true
    ) {
        self.init(action: action, keys: keys, keyLabel: keyLabel, label: label, help: help, scope: scope, when: when, inKeyBar: inKeyBar)
    }
}

/// The one keymap table: the key bar, the help overlay and key dispatch are all built from it.
public enum Keymap {
    private static func c(_ character: Character) -> Key { .character(character) }

    /// Every binding, in the order the key bar and the help list them.
    public static let table: [LabelKeyBinding] = [
        // Labelling
        KeyBinding(.answer(""), .criterionOptions, "y n …", "answer",
                   "Answer with the option whose key is shown (saves; blind: reveals the judge; verdict: moves on)"),
        KeyBinding(.agree, .fixed([c("+"), c("=")]), "+", "agree",
                   "Agree with the judge's verdict; the answer is derived (verdict mode, or to revise after the reveal)",
                   when: .judgeVerdictVisible),
        KeyBinding(.disagree, .fixed([c("-")]), "-", "disagree",
                   "Disagree with the judge's verdict; the answer is derived", when: .judgeVerdictVisible),
        KeyBinding(.abstain, .fixed([c("!")]), "!", "can't judge",
                   "Cannot judge this item (its text allows no verdict): recorded and counted as done, left out of agreement and the reference; an option key answers it instead"),
        KeyBinding(.next, .fixed([c("l"), .right, .enter]), "l → ⏎", "next", "Go on to the next item"),
        KeyBinding(.previous, .fixed([c("h"), .left]), "h ←", "prev", "Go back to the previous item"),
        KeyBinding(.showHelp, .fixed([c("?"), .function(1)]), "?", "help", "This help"),
        KeyBinding(.quit, .fixed([c("q"), .control("d")]), "q", "quit", "Quit (labels are saved as you go: there is no save step)"),
        KeyBinding(.flagUnsure, .fixed([c("u")]), "u", "unsure",
                   "Flag the answer as unsure (again to clear); saved as a new event", when: .hasAnswer),
        KeyBinding(.flagDiscuss, .fixed([c("d")]), "d", "discuss",
                   "Flag the item for discussion (again to clear); saved as a new event", when: .hasAnswer),
        KeyBinding(.editNote, .fixed([c("c")]), "c", "note",
                   "Write a one-line note (Enter saves it with the answer, Esc cancels)"),
        KeyBinding(.undo, .fixed([c("z")]), "z", "undo",
                   "Undo the last label: goes to that item and records a retraction", when: .canUndo),
        KeyBinding(.retrySaves, .fixed([c("R")]), "R", "retry",
                   "Write unsaved labels again now (they are also retried on every key)", when: .failedSaves),
        // Finding items
        KeyBinding(.goToItem, .fixed([c("g")]), "g", "go to", "Go to an item by its number in your order"),
        KeyBinding(.search, .fixed([c("/")]), "/", "search", "Search the stimulus, context, response, criterion question, condition and model"),
        KeyBinding(.searchNext, .fixed([c("n"), .control("n")]), "n ^N", "next match",
                   "Next search match (^N when n is an answer key)", when: .searchActive),
        KeyBinding(.searchPrevious, .fixed([c("N"), .control("p")]), "N ^P", "prev match",
                   "Previous search match", when: .searchActive),
        KeyBinding(.filter, .fixed([c("f")]), "f", "filter",
                   "Filter: unlabeled, flagged, condition, model, judge verdict (not in blind mode)"),
        KeyBinding(.back, .fixed([.escape]), "Esc", "clear", "Clear the filter and the search",
                   when: .filterOrSearchActive),
        // Screens
        KeyBinding(.showAgreement, .fixed([c("a")]), "a", "agreement", "Your agreement with the judge"),
        // Reading
        KeyBinding(.scrollDown, .fixed([c("j"), .down]), "j ↓", "scroll", "Scroll the focused pane down a line",
                   inKeyBar: false),
        KeyBinding(.scrollUp, .fixed([c("k"), .up]), "k ↑", "scroll up", "Scroll the focused pane up a line",
                   inKeyBar: false),
        KeyBinding(.pageDown, .fixed([.pageDown, c(" ")]), "PgDn Space", "page down", "Scroll the focused pane down a page",
                   inKeyBar: false),
        KeyBinding(.pageUp, .fixed([.pageUp]), "PgUp", "page up", "Scroll the focused pane up a page", inKeyBar: false),
        KeyBinding(.scrollTop, .fixed([.home]), "Home", "top", "Scroll the focused pane to the top", inKeyBar: false),
        KeyBinding(.scrollBottom, .fixed([.end]), "End", "bottom", "Scroll the focused pane to the bottom",
                   inKeyBar: false),
        KeyBinding(.focusNext, .fixed([.tab]), "Tab", "focus", "Focus the next pane"),
        KeyBinding(.toggleContext, .fixed([c("x")]), "x", "context", "Collapse or expand the conversation context",
                   when: .itemHasContext),
        KeyBinding(.toggleAppropriateAnswer, .fixed([c("H")]), "H", "hide answer",
                   "Hide or show the criterion's appropriate answer (stricter blind)"),
        // Help overlay
        KeyBinding(.back, .fixed([.escape, c("?"), c("q")]), "Esc ? q", "close", "Close the help", scope: .help),
        KeyBinding(.scrollDown, .fixed([c("j"), .down, .pageDown, c(" ")]), "j ↓", "scroll", "Scroll the help",
                   scope: .help),
        KeyBinding(.scrollUp, .fixed([c("k"), .up, .pageUp]), "k ↑", "scroll up", "Scroll the help back",
                   scope: .help),
        // Agreement screen
        KeyBinding(.back, .fixed([.escape, c("a"), c("q")]), "Esc a q", "close", "Close the agreement screen",
                   scope: .agreement),
        // Menus
        KeyBinding(.selectNext, .fixed([c("j"), .down, .tab]), "j ↓", "down", "Move down the menu", scope: .picker),
        KeyBinding(.selectPrevious, .fixed([c("k"), .up]), "k ↑", "up", "Move up the menu", scope: .picker),
        KeyBinding(.confirm, .fixed([.enter, c("l"), .right]), "⏎", "choose", "Choose the selected entry",
                   scope: .picker),
        KeyBinding(.back, .fixed([.escape, c("q"), c("h"), .left]), "Esc", "back", "Back out of the menu",
                   scope: .picker),
        // Line editor (note, search, go to)
        KeyBinding(.type(" "), .printable, "text", "type", "Type into the line", scope: .prompt, inKeyBar: false),
        KeyBinding(.confirm, .fixed([.enter]), "⏎", "done", "Save the note, run the search or go to the item",
                   scope: .prompt),
        KeyBinding(.deleteBackward, .fixed([.backspace, .delete]), "Bksp", "delete", "Delete the last character",
                   scope: .prompt),
        KeyBinding(.recallLastSearch, .fixed([.up]), "↑", "last search", "Bring back the last search (in the search line)",
                   scope: .prompt, when: .searchPromptWithHistory),
        KeyBinding(.back, .fixed([.escape]), "Esc", "cancel", "Cancel", scope: .prompt),
        KeyBinding(.quit, .fixed([.control("d")]), "^D", "quit", "Quit (asks first when a note would be lost)", scope: .prompt, inKeyBar: false),
        // Quit question
        // A capital Q, so a habitual "y" (yes) cannot throw labels away.
        KeyBinding(.quitAnyway, .fixed([c("Q")]), "Q", "quit anyway", "Quit and lose the unsaved labels",
                   scope: .confirmQuit),
        KeyBinding(.retrySaves, .fixed([c("R")]), "R", "retry", "Write the unsaved labels again",
                   scope: .confirmQuit),
        KeyBinding(.back, .fixed([.escape, c("n")]), "Esc n", "stay", "Stay in the console", scope: .confirmQuit),
        // Session prompts: only Enter goes on, so no answer key can pass one by habit.
        KeyBinding(.confirm, .fixed([.enter]), "⏎", "go on",
                   "Go on: after a break, past the daily cap, to the item behind the notice, or to the next practice item",
                   scope: .sessionPrompt),
        KeyBinding(.quit, .fixed([c("q"), .control("d")]), "q", "quit", "Quit for now (everything answered is saved)", scope: .sessionPrompt),
    ]

    /// Characters bound on the label screen or the adjudication item screen, which option keys must not take, so
    /// an option has the same key in both consoles ("n" is left to options: it is the usual key for "no", and
    /// search-next then moves to ^N).
    public static let reservedCharacters: Set<Character> = {
        var reserved: Set<Character> = []
        for binding in table where binding.scope == .labelScreen {
            guard case .fixed(let keys) = binding.keys else { continue }
            for case .character(let character) in keys { reserved.insert(character) }
        }
        reserved.formUnion(AdjudicationKeymap.reservedOnItemScreen)
        reserved.remove("n")
        return reserved
    }()

    /// One key per option, the one rule of both consoles: a scale's points are 1, 2, … from low to high (up to
    /// nine points); then, in the options' display order, each option's first letter, else the first letter of
    /// another of its words, else a digit.
    public static func optionKeys(for criterion: Criterion) -> [(key: Character, option: String)] {
        var taken = reservedCharacters
        var result: [(key: Character, option: String)] = []
        var digit = 1
        if let scale = criterion.scale, scale.ordered.count <= 9,
           scale.ordered.indices.allSatisfy({ !taken.contains(Character(String($0 + 1))) }) {
            for (index, point) in scale.ordered.enumerated() {
                taken.insert(Character(String(index + 1)))
                result.append((Character(String(index + 1)), point))
            }
            digit = scale.ordered.count + 1
        }
        for option in criterion.displayOptions where !result.contains(where: { $0.option == option }) {
            let words = option.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            let candidates = words.compactMap(\.first).filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
            if let key = candidates.first(where: { !taken.contains($0) }) {
                taken.insert(key)
                result.append((key, option))
                continue
            }
            while digit <= 9, taken.contains(Character(String(digit))) { digit += 1 }
            if digit <= 9 {
                let key = Character(String(digit))
                taken.insert(key)
                result.append((key, option))
                digit += 1
            }
        }
        return result
    }

    /// The option a key answers with for a criterion, by the one option-key rule, or nil.
    public static func option(for key: Key, criterion: Criterion) -> String? {
        guard case .character(let character) = key else { return nil }
        return optionKeys(for: criterion).first { $0.key == character }?.option
    }

    /// The scope keys are read in, given what is open.
    public static func scope(of state: ConsoleState) -> KeyScope {
        if state.prompt != nil { return .prompt }
        switch state.overlay {
        case nil: return .labelScreen
        case .help: return .help
        case .agreement: return .agreement
        case .picker: return .picker
        case .confirmQuit: return .confirmQuit
        case .session, .practiceFeedback: return .sessionPrompt
        }
    }

    /// The action a key means now, or nil when it means nothing here.
    public static func action(for key: Key, in state: ConsoleState) -> ConsoleAction? {
        let scope = Keymap.scope(of: state)
        // In search mode (after `/word` Enter, as in less and vim) n and N move between matches and option keys
        // do not answer; Esc ends the mode. A key that can label never does so while the screen says it moves.
        if scope == .labelScreen, state.searchText == nil, let item = state.currentItem,
           let option = option(for: key, criterion: item.criterion) {
            return .answer(option)
        }
        if let binding = LabelKeyBinding.first(in: table, listeningTo: key, scope: scope) { return binding.action }
        if scope == .prompt, case .character(let character) = key { return .type(character) }
        return nil
    }

    /// The bindings of a scope that are valid now, in table order.
    public static func validBindings(in state: ConsoleState) -> [LabelKeyBinding] {
        let scope = Keymap.scope(of: state)
        return table.filter { $0.scope == scope && $0.when.holds(in: state) }
    }

    /// Short "key label" pairs for the key bar, option keys spelled out.
    public static func keyBarEntries(for state: ConsoleState) -> [(keys: String, label: String)] {
        var entries: [(keys: String, label: String)] = []
        let searching = state.searchText != nil
        let options = searching ? [] : state.currentItem.map { Keymap.optionKeys(for: $0.criterion) } ?? []
        let nTaken = options.contains { $0.key == "n" }
        if searching { entries.append(("Esc", "end search (answer keys are off)")) }
        for binding in validBindings(in: state) where binding.inKeyBar {
            if case .criterionOptions = binding.keys {
                for entry in options { entries.append((String(entry.key), entry.option)) }
                continue
            }
            if searching && binding.action == .back { continue }
            if binding.action == .searchNext {
                entries.append((nTaken ? "^N" : "n", binding.label))
                continue
            }
            let shortKeys = binding.keyLabel.split(separator: " ").first.map(String.init) ?? binding.keyLabel
            entries.append((shortKeys, binding.label))
        }
        return entries
    }
}
