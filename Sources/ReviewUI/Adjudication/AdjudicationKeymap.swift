import ReviewCore

/// The screens of the adjudication console.
public enum AdjudicationScreen: String, Sendable, Hashable, CaseIterable {
    /// The queue of items to settle.
    case queue
    /// One item with the raters' answers.
    case item
}

/// Every named action of the adjudication console.
public enum AdjudicationAction: Sendable, Hashable {
    /// Selection and scrolling.
    case up, down, pageUp, pageDown
    /// Moving between the queue and items.
    case open, back, previous, next
    /// Queue filters.
    case cycleKind, cycleCondition
    /// Reveal names, retry a failed save, help, quit.
    case reveal, retry, help, quit
}

/// One row of the adjudication keymap: keys, an action, a key-bar label and help text.
public struct AdjudicationBinding: Sendable, Hashable {
    /// The keys that trigger the action.
    public var keys: [Key]
    /// How the keys are written on screen.
    public var keyLabel: String
    /// What the keys do.
    public var action: AdjudicationAction
    /// One or two words for the key bar.
    public var label: String
    /// A sentence for the help overlay.
    public var help: String
    /// Where the binding applies.
    public var screens: Set<AdjudicationScreen>
    /// Whether the key bar lists it (the rest appear in the help only).
    public var inKeyBar: Bool
}

/// The one table of the adjudication console's keys; the key bar and the help overlay are built from it.
public enum AdjudicationKeymap {
    /// Every binding, in help order. Option keys (one per criterion option) come from `optionKeys(for:)`.
    public static let table: [AdjudicationBinding] = [
        AdjudicationBinding(keys: [.up, .character("k")], keyLabel: "↑ k", action: .up, label: "up",
                            help: "Select the previous item in the queue, or scroll the item text up.", screens: [.queue, .item], inKeyBar: false),
        AdjudicationBinding(keys: [.down, .character("j")], keyLabel: "↓ j", action: .down, label: "down",
                            help: "Select the next item in the queue, or scroll the item text down.", screens: [.queue, .item], inKeyBar: false),
        AdjudicationBinding(keys: [.pageUp], keyLabel: "PgUp", action: .pageUp, label: "page up",
                            help: "Scroll a page up.", screens: [.queue, .item], inKeyBar: false),
        AdjudicationBinding(keys: [.pageDown], keyLabel: "PgDn", action: .pageDown, label: "page down",
                            help: "Scroll a page down.", screens: [.queue, .item], inKeyBar: false),
        AdjudicationBinding(keys: [.enter], keyLabel: "Enter", action: .open, label: "open",
                            help: "Open the selected item.", screens: [.queue], inKeyBar: true),
        AdjudicationBinding(keys: [.character("f")], keyLabel: "f", action: .cycleKind, label: "kind",
                            help: "Filter by kind: all, acute-risk miss, other miss, human disagreement, false alarm.", screens: [.queue], inKeyBar: true),
        AdjudicationBinding(keys: [.character("c")], keyLabel: "c", action: .cycleCondition, label: "condition",
                            help: "Filter by condition: all, then each condition in the queue.", screens: [.queue], inKeyBar: true),
        AdjudicationBinding(keys: [.character("r")], keyLabel: "r", action: .reveal, label: "reveal names",
                            help: "Show the raters' names instead of R1, R2 (recorded in your log).", screens: [.item], inKeyBar: true),
        AdjudicationBinding(keys: [.left, .character("h")], keyLabel: "← h", action: .previous, label: "prev",
                            help: "The previous item in the queue.", screens: [.item], inKeyBar: true),
        AdjudicationBinding(keys: [.right, .character("l")], keyLabel: "→ l", action: .next, label: "next",
                            help: "The next item in the queue.", screens: [.item], inKeyBar: true),
        AdjudicationBinding(keys: [.enter], keyLabel: "Enter", action: .retry, label: "retry",
                            help: "Retry saving a decision that could not be written.", screens: [.item], inKeyBar: false),
        AdjudicationBinding(keys: [.escape], keyLabel: "Esc", action: .back, label: "queue",
                            help: "Back to the queue (or cancel the rationale).", screens: [.item], inKeyBar: true),
        AdjudicationBinding(keys: [.character("?")], keyLabel: "?", action: .help, label: "help",
                            help: "Show or hide this help.", screens: [.queue, .item], inKeyBar: true),
        AdjudicationBinding(keys: [.character("q")], keyLabel: "q", action: .quit, label: "quit",
                            help: "Quit; decisions are saved as they are made.", screens: [.queue, .item], inKeyBar: true),
    ]

    /// The action a key triggers on a screen, if any.
    public static func action(for key: Key, on screen: AdjudicationScreen) -> AdjudicationAction? {
        table.first { $0.screens.contains(screen) && $0.keys.contains(key) }?.action
    }

    /// Characters bound on the item screen, which option keys must not take.
    static let reserved: Set<Character> = {
        var result: Set<Character> = []
        for binding in table where binding.screens.contains(.item) {
            for case .character(let character) in binding.keys { result.insert(character) }
        }
        return result
    }()

    /// One key per option: the label console's rule (`Keymap.optionKeys`), so an option has the same key in both.
    public static func optionKeys(for criterion: Criterion) -> [(key: Character, option: String)] {
        Keymap.optionKeys(for: criterion)
    }
}
