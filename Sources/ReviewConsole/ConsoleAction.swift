import ReviewCore
/// One named thing the rater can do; the keymap maps keys to these and the reducer applies them.
public enum ConsoleAction: Hashable, Sendable {
    /// Answer the item with this criterion option (saves; blind: reveals the judge; verdict: moves on).
    case answer(String)
    /// Mark the item as one the rater cannot judge: recorded, counted as done, left out of agreement.
    case abstain
    /// Verdict mode: agree with the judge's verdict (the answer is derived from it).
    case agree
    /// Verdict mode: disagree with the judge's verdict (the answer is derived from it).
    case disagree
    case next
    case previous
    case flagUnsure
    case flagDiscuss
    /// Open the one-line note editor.
    case editNote
    /// Open the item-number prompt.
    case goToItem
    /// Open the search prompt.
    case search
    case searchNext
    case searchPrevious
    /// Open the filter menu.
    case filter
    /// Retract the most recent label.
    case undo
    case showAgreement
    case showHelp
    case quit
    case scrollUp
    case scrollDown
    case pageUp
    case pageDown
    case scrollTop
    case scrollBottom
    case focusNext
    case toggleContext
    case toggleAppropriateAnswer
    /// Write failed labels again now.
    case retrySaves
    /// Escape: close the overlay or prompt, or clear the filter and search.
    case back
    /// Enter in a prompt or picker.
    case confirm
    /// Move a picker's selection.
    case selectPrevious
    case selectNext
    /// A character typed into a prompt.
    case type(Character)
    /// In the search prompt: put the last search back into the line.
    case recallLastSearch
    case deleteBackward
    /// Quit although some labels are not yet saved.
    case quitAnyway
    /// The terminal's size: given before the first frame and after every change (scrolling is clamped to it).
    case resize(TerminalSize)
    /// A key that means nothing here (it still hands out a failed write again).
    case unboundKey

    /// The action's stable name, as in the help and the README.
    public var name: String {
        switch self {
        case .answer: "answer"
        case .abstain: "cannot-judge"
        case .agree: "agree"
        case .disagree: "disagree"
        case .next: "next"
        case .previous: "previous"
        case .flagUnsure: "flag-unsure"
        case .flagDiscuss: "flag-discuss"
        case .editNote: "note"
        case .goToItem: "go-to-item"
        case .search: "search"
        case .searchNext: "search-next"
        case .searchPrevious: "search-previous"
        case .filter: "filter"
        case .undo: "undo"
        case .showAgreement: "agreement"
        case .showHelp: "help"
        case .quit: "quit"
        case .scrollUp: "scroll-up"
        case .scrollDown: "scroll-down"
        case .pageUp: "page-up"
        case .pageDown: "page-down"
        case .scrollTop: "scroll-top"
        case .scrollBottom: "scroll-bottom"
        case .focusNext: "focus-next"
        case .toggleContext: "toggle-context"
        case .toggleAppropriateAnswer: "toggle-appropriate-answer"
        case .retrySaves: "retry-saves"
        case .back: "back"
        case .confirm: "confirm"
        case .selectPrevious: "select-previous"
        case .selectNext: "select-next"
        case .type: "type"
        case .recallLastSearch: "recall-last-search"
        case .deleteBackward: "delete-backward"
        case .quitAnyway: "quit-anyway"
        case .resize: "resize"
        case .unboundKey: "unbound-key"
        }
    }
}
