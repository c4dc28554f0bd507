import Foundation
import ReviewCore

/// The panes of the label screen that can take focus and scroll.
public enum ConsolePane: String, Sendable, CaseIterable, Hashable {
    case context, stimulus, response, criterion, judge, label

    /// The pane's title on screen.
    public var title: String {
        switch self {
        case .context: "Context"
        case .stimulus: "Stimulus"
        case .response: "Response"
        case .criterion: "Criterion"
        case .judge: "Judge"
        case .label: "Your label"
        }
    }
}

/// A one-line editor in the status line: a note, a search, or an item number.
public struct ConsolePrompt: Sendable, Equatable {
    /// What the typed text is for.
    public enum Purpose: Sendable, Equatable {
        case note, search, goToItem
    }

    /// What the line is for.
    public var purpose: Purpose
    /// The text typed so far.
    public var text: String

    /// Opens an editor, optionally with text already in it.
    public init(purpose: Purpose, text: String = "") {
        self.purpose = purpose
        self.text = text
    }

    /// The label shown before the text.
    public var caption: String {
        switch purpose {
        case .note: "note: "
        case .search: "search: /"
        case .goToItem: "go to item number: "
        }
    }
}

/// What a picker overlay chooses.
public enum PickerPurpose: Sendable, Equatable {
    /// The filter menu: which kind of filter.
    case filterMenu
    case filterCondition
    case filterModel
    case filterJudgeVerdict
}

/// A list overlay to choose one entry from.
public struct ConsolePicker: Sendable, Equatable {
    /// What choosing an entry does.
    public var purpose: PickerPurpose
    /// The box title.
    public var title: String
    /// The entries, in display order.
    public var entries: [String]
    /// Index of the highlighted entry.
    public var selected: Int

    /// Creates a picker with the first (or given) entry selected.
    public init(purpose: PickerPurpose, title: String, entries: [String], selected: Int = 0) {
        self.purpose = purpose
        self.title = title
        self.entries = entries
        self.selected = selected
    }
}

/// A box drawn over the label screen.
public enum ConsoleOverlay: Sendable, Equatable {
    /// The key help, generated from the keymap; `scroll` is the first line shown.
    case help(scroll: Int)
    /// This rater's agreement with the judge, computed once when opened.
    case agreement(AgreementReport)
    case picker(ConsolePicker)
    /// Quit was asked while labels are not yet durable.
    case confirmQuit(unsaved: Int, notes: Int = 0)
    /// A session protocol's prompt before the item (a break, the daily cap, the content notice).
    case session(SessionPrompt)
    /// A practice answer against the gold answer.
    case practiceFeedback(PracticeFeedback)
}

/// What the practice round tells the rater after an answer.
public struct PracticeFeedback: Sendable, Equatable {
    /// The rater's answer.
    public var given: String
    /// The gold answer.
    public var expected: String
    /// Whether the two mean the same verdict (the answer that counts).
    public var correct: Bool
    /// Which practice item this was, and how many there are.
    public var number: Int, total: Int
}

/// Which items the rater steps through.
public enum ItemFilter: Sendable, Equatable, Hashable {
    case unlabeled
    case flagged
    case condition(String)
    case model(String)
    case judgeVerdict(Verdict)

    /// A short description for the header.
    public var caption: String {
        switch self {
        case .unlabeled: "unlabeled"
        case .flagged: "flagged"
        case .condition(let value): "condition \(value)"
        case .model(let value): "model \(value)"
        case .judgeVerdict(let verdict): "judge \(verdict.rawValue)"
        }
    }
}

/// Everything the label console shows and remembers: the pure model the reducer updates.
public struct ConsoleState: Sendable {
    // MARK: Fixed for the session

    /// The dataset being labelled.
    public let dataset: Dataset
    /// Whose labels these are.
    public let rater: String
    /// `.blind` or `.verdictShown`.
    public let mode: LabelMode
    /// Indices into `dataset.items`, in this rater's order (practice items first, hidden repeats among the rest).
    public let order: [Int]
    /// The positions in `order` that are practice or repeat slots; every other position is a live label.
    public let purposes: [Int: LabelPurpose]
    /// The known answers of the practice items, by item id.
    public let goldAnswers: [String: String]
    /// The number of practice items (the first positions of the order).
    public let practiceCount: Int
    /// Position in `order` of each item index (-1 when absent), so jumps never scan the order.
    private let positionOfItemIndex: [Int]

    // MARK: Labels

    /// This rater's current live label per item id (latest event wins; retracted items absent).
    public private(set) var currentLabels: [String: LabelEvent]
    /// The current practice and repeat labels, by key.
    public private(set) var practiceAndRepeatLabels: [LabelKey: LabelEvent]
    /// How many positions in `order` have a current label (kept incrementally).
    public private(set) var labeledCount: Int
    /// Labels in the order they were given, for undo.
    public private(set) var undoStack: [LabelKey]
    /// Events not yet reported durable, oldest first; written strictly in this order (the console's one queue).
    public private(set) var writes = WriteQueue<LabelEvent>()
    /// Pending events whose last write failed.
    public var failedSaves: Int { writes.failedCount }
    /// Labels undone after their judge verdict was on screen: the verdict stays shown (a current label, or verdict
    /// mode, reveals it by itself; a repeat is blind again).
    public private(set) var judgeSeen: Set<LabelKey>
    /// Items whose judge verdict this rater has had on screen, by dataset position: every answer in the whole log
    /// revealed it (a retraction does not hide what was seen), and so does every answer of this session. An undone
    /// item stays revealed in a later session, and a repeat's answer records that the judge was seen before it.
    private var judgeShown: [Bool]
    /// A note typed before the item had an answer; saved with the answer.
    public var draftNotes: [LabelKey: String]
    /// Time at the keyboard, counts, and the breaks, cap and notices of the session protocol.
    public internal(set) var session: SessionClock

    // MARK: Where the rater is

    /// Index into `order` of the item on screen.
    public private(set) var position: Int
    /// When the current item was shown (for the time spent on it).
    public private(set) var shownAt: Date
    /// Active filter and the positions (indices into `order`) it selects, computed when asked.
    public private(set) var filter: ItemFilter?
    /// Sorted positions the filter selects (empty without a filter).
    public private(set) var filterPositions: [Int]
    /// The last search text and the positions whose text matches it.
    public private(set) var searchText: String?
    /// Sorted positions that match the search.
    public private(set) var searchPositions: [Int]

    // MARK: View

    /// The pane that scroll keys move.
    public var focus: ConsolePane
    /// First visible line per pane; reset when the item changes.
    public var scroll: [ConsolePane: Int]
    /// The largest useful scroll per pane at the last drawn size (set by the screen; nil = not known).
    public var scrollLimits: [ConsolePane: Int] = [:]
    /// The largest useful scroll of the help overlay at the last drawn size.
    public var helpScrollLimit: Int?
    /// Lines a page scroll moves (set by the screen from the pane height).
    public var pageLines: Int = 10
    /// Whether the conversation context is folded to one line.
    public var contextCollapsed: Bool
    /// Whether the criterion's appropriate answer is hidden (stricter blind).
    public var hideAppropriateAnswer: Bool
    /// The terminal's size, as the loop last reported it (nil before the first report).
    public internal(set) var size: TerminalSize?
    /// The box drawn over the label screen, if any.
    public var overlay: ConsoleOverlay?
    /// The status-line editor, if open.
    public var prompt: ConsolePrompt?
    /// A one-off message for the status line (cleared by the next key).
    public var message: String?
    /// Whether `message` reports a problem.
    public var messageIsError: Bool
    /// The slot whose arrival prompts (break, cap, notice) are done, so they are asked once per arrival.
    var arrivalChecked: LabelKey?
    /// The last item id reported durable (the status line says "saved" only then).
    public private(set) var lastSaved: LabelKey?

    /// Starts a session: replays `history` to the rater's current labels and opens at the first unlabeled item.
    public init(
        dataset: Dataset, rater: String, mode: LabelMode, order: [Int], history: [LabelEvent], historyPositions: [Int32] = [],
        hideAppropriateAnswer: Bool = false, session: SessionProtocol = .off, practice: [RaterPractice] = [],
        repeats: [(item: Int, after: Int)] = [], now: Date
    ) {
        self.dataset = dataset
        self.rater = rater
        self.mode = mode == .verdictShown ? .verdictShown : .blind
        let valid = { (index: Int) in index >= 0 && index < dataset.items.count }
        let live = order.filter(valid)
        // Practice items first, then the live order with each repeat after its `after` live items.
        var slots = practice.map(\.itemIndex).filter(valid)
        slots.reserveCapacity(live.count + practice.count + repeats.count)
        var purposes: [Int: LabelPurpose] = [:]
        for position in slots.indices { purposes[position] = .practice }
        var upcoming = repeats.filter { valid($0.item) }.sorted { $0.after < $1.after }[...]
        for (count, itemIndex) in live.enumerated() {
            while let next = upcoming.first, next.after <= count {
                purposes[slots.count] = .repeat
                slots.append(next.item)
                upcoming.removeFirst()
            }
            slots.append(itemIndex)
        }
        for next in upcoming {
            purposes[slots.count] = .repeat
            slots.append(next.item)
        }
        self.order = slots
        self.purposes = purposes
        self.practiceCount = purposes.values.filter { $0 == .practice }.count
        self.goldAnswers = Dictionary(practice.compactMap { valid($0.itemIndex) ? (dataset.items[$0.itemIndex].id, $0.answer) : nil },
                                      uniquingKeysWith: { first, _ in first })
        var inverse = Array(repeating: -1, count: dataset.items.count)
        for (position, itemIndex) in slots.enumerated() where inverse[itemIndex] < 0 && (purposes.isEmpty || purposes[position] == nil) {
            inverse[itemIndex] = position
        }
        self.positionOfItemIndex = inverse
        // The store's replay (latest event wins, retractions remove, labels on changed items are not current,
        // practice and repeats apart from live labels).
        let replay = RaterReplay(rater: rater, events: history, dataset: dataset, knownPositions: historyPositions)
        let current = replay.current
        self.currentLabels = current
        self.practiceAndRepeatLabels = replay.practiceAndRepeats
        // By each event's dataset position, as the replay found it (a million labels, no lookups by id again).
        var undo: [LabelKey] = []
        undo.reserveCapacity(current.count)
        var shown = [Bool](repeating: false, count: dataset.items.count)
        for (event, position) in zip(history, replay.eventPositions) where event.settlesItem {
            let labelled = event.purpose == nil ? position >= 0 && replay.current(at: Int(position)) != nil
                : replay.practiceAndRepeats[event.key] != nil
            if labelled { undo.append(event.key) }
            if position >= 0 { shown[Int(position)] = true }
        }
        self.undoStack = undo
        self.judgeSeen = []
        self.judgeShown = shown
        self.draftNotes = [:]
        // Today's count only matters with a daily cap (it reads the log's recent end).
        let today = session.dailyCap > 0 ? SessionClock.itemsLabelled(on: now, in: history) : 0
        self.session = SessionClock(rules: session, itemsTodayBefore: today, now: now)
        var labeled = 0
        var firstUnlabeled: Int?
        for (index, itemIndex) in slots.enumerated() {
            let purpose = purposes.isEmpty ? nil : purposes[index]
            let done = purpose.map { replay.practiceAndRepeats[LabelKey(item: dataset.items[itemIndex].id, purpose: $0)] != nil }
                ?? (replay.current(at: itemIndex) != nil)
            if done {
                labeled += 1
            } else if firstUnlabeled == nil {
                firstUnlabeled = index
            }
        }
        self.labeledCount = labeled
        self.position = firstUnlabeled ?? max(0, self.order.count - 1)
        self.shownAt = now
        self.filter = nil
        self.filterPositions = []
        self.searchText = nil
        self.searchPositions = []
        self.focus = .response
        self.scroll = [:]
        self.contextCollapsed = false
        self.hideAppropriateAnswer = hideAppropriateAnswer
        self.overlay = nil
        self.prompt = nil
        self.message = nil
        self.messageIsError = false
        self.lastSaved = nil
    }

    // MARK: Derived values

    /// The item on screen with its texts, or nil for an empty order. A dataset of summaries (the study index) has
    /// them read from `items.jsonl` one item at a time; an item whose texts cannot be read is its summary with a
    /// message where the response goes, and cannot be answered (`Item.textsLeftOut`).
    public var currentItem: Item? {
        guard position >= 0, position < order.count else { return nil }
        return Self.shown(dataset.items[order[position]], at: order[position], in: dataset)
    }

    /// An item as a console (labelling or adjudicating) shows it: itself when it has its texts; for a summary, the
    /// full item read from `dataset` at `index`; when that cannot be read, the summary with `unreadableText` where
    /// the response goes, which `unreadableRefusal` keeps from being answered or decided.
    public static func shown(_ item: Item, at index: Int, in dataset: Dataset?) -> Item {
        guard item.textsLeftOut else { return item }
        if let full = dataset?.fullItem(at: index), full.id == item.id { return full }
        var placeholder = item
        placeholder.response = unreadableText
        return placeholder
    }

    /// What a console shows for an item whose texts could not be read.
    public static let unreadableText = "This item's text could not be read from items.jsonl: the file was changed where it lies since the console opened. Quit (^D) and open the console again; nothing you saved is lost."
    /// What a console says when asked to answer or decide such an item.
    public static let unreadableRefusal = "this item's text could not be read from items.jsonl (it changed since the console opened); quit and open the console again"

    /// Practice, repeat, or nil (live) for the slot at `position`.
    public func purpose(at position: Int) -> LabelPurpose? { purposes[position] }

    /// Which of the rater's labels the slot at `position` sets.
    public func key(at position: Int) -> LabelKey? {
        guard position >= 0, position < order.count else { return nil }
        return LabelKey(item: dataset.items[order[position]].id, purpose: purposes[position])
    }

    /// Which of the rater's labels the item on screen sets.
    public var currentKey: LabelKey? { key(at: position) }

    /// The rater's current label for a key.
    public func label(for key: LabelKey) -> LabelEvent? {
        key.purpose == nil ? currentLabels[key.item] : practiceAndRepeatLabels[key]
    }

    /// The rater's current label for the item on screen.
    public var currentLabel: LabelEvent? {
        currentKey.flatMap(label(for:))
    }

    /// Whether the judge's answer and verdict may be shown for the item on screen (a practice item shows it
    /// only after an answer, in verdict mode too: the practice is blind).
    public var judgeRevealed: Bool {
        guard let key = currentKey else { return false }
        return (mode == .verdictShown && key.purpose != .practice) || label(for: key) != nil || judgeSeen.contains(key)
            || (key.purpose == nil && judgeWasShown(itemID: key.item))
    }

    /// Whether this rater has had the item's judge verdict on screen before, in any session (see `judgeShown`).
    public func judgeWasShown(itemID: String) -> Bool {
        dataset.indexByID[itemID].map { judgeShown[$0] } ?? false
    }

    /// Slots of the order still without a label.
    public var itemsLeft: Int { order.count - labeledCount }

    /// The latest unsaved event of an item and where its write stands, if any.
    public func pendingSave(for itemID: String) -> WriteQueue<LabelEvent>.Entry? {
        writes.latest(for: itemID)
    }

    /// Where a label's slot sits in this rater's order.
    public func orderPosition(of key: LabelKey) -> Int? {
        guard let itemIndex = dataset.indexByID[key.item] else { return nil }
        guard let purpose = key.purpose else { return orderPosition(ofItemIndex: itemIndex) }
        return purposes.first { $0.value == purpose && order[$0.key] == itemIndex }?.key
    }

    /// Where an item's live slot (by its index in the dataset) sits in this rater's order.
    public func orderPosition(ofItemIndex itemIndex: Int) -> Int? {
        guard itemIndex >= 0, itemIndex < positionOfItemIndex.count, positionOfItemIndex[itemIndex] >= 0 else { return nil }
        return positionOfItemIndex[itemIndex]
    }

    /// The items that can be undone (labelled in this session or before and still labelled).
    public var canUndo: Bool { !undoStack.isEmpty }

    // MARK: Mutations used by the reducer (kept here so the invariants live in one place)

    /// Moves to `newPosition` (clamped), resetting scroll and the time spent.
    mutating func move(to newPosition: Int, now: Date) {
        guard !order.isEmpty else { return }
        let clamped = min(max(0, newPosition), order.count - 1)
        if clamped != position {
            position = clamped
            scroll = [:]
            shownAt = now
        }
    }

    /// Focuses where the unread text is: the first pane in reading order (context, stimulus, response) that does
    /// not fit its box at the last reported size, else the response, which the rater judges.
    public mutating func focusFirstUnread() {
        let reading: [ConsolePane] = [.context, .stimulus, .response]
        focus = reading.first { (scrollLimits[$0] ?? 0) > 0 } ?? .response
    }

    /// The item counts as shown from `now`: a session prompt (a content notice, a break) hid it until then, and the
    /// time it was on screen is not time on the item.
    mutating func restartItemClock(_ now: Date) {
        shownAt = now
    }

    /// Leaves time away out of the time on the item: the item counts as shown `seconds` later.
    mutating func discountTimeAway(_ seconds: TimeInterval) {
        shownAt = shownAt.addingTimeInterval(seconds)
    }

    /// Records a new current label (or retraction) in memory and queues it for the log.
    mutating func record(_ event: LabelEvent) {
        let key = event.key
        let before = label(for: key) != nil
        let stored: LabelEvent? = event.settlesItem ? event : nil
        if key.purpose == nil { currentLabels[key.item] = stored } else { practiceAndRepeatLabels[key] = stored }
        switch event.kind {
        case .label, .abstain:
            // A current label reveals the judge by itself (`judgeRevealed`); only an undone one is remembered.
            undoStack.append(key)
            if let index = dataset.indexByID[key.item] { judgeShown[index] = true }
        case .retract:
            // The judge stays revealed on an undone item: it was on screen.
            judgeSeen.insert(key)
            // Drop undo entries that no longer have a label on top, so the top is always undoable.
            while let top = undoStack.last, label(for: top) == nil { undoStack.removeLast() }
        }
        let after = label(for: key) != nil
        if before != after, orderPosition(of: key) != nil {
            labeledCount += after ? 1 : -1
        }
        if !before && after { session.countItem() }
        writes.enqueue(event)
    }

    /// Hands the head of the queue to the loop when nothing is in flight; a failed head is handed out again.
    mutating func nextWrite() -> [ConsoleEffect] {
        writes.nextWrite().map { [.appendLabel($0)] } ?? []
    }

    /// Applies a durable write: the head leaves the queue.
    mutating func markSaved(itemID: String) -> Bool {
        guard let saved = writes.markSaved(itemID: itemID) else { return false }
        lastSaved = saved.key
        return true
    }

    /// Applies a failed write: the event stays at the head, marked failed.
    mutating func markFailed(itemID: String, message: String) {
        writes.markFailed(itemID: itemID, message: message)
    }

    mutating func setFilter(_ filter: ItemFilter?, positions: [Int]) {
        self.filter = filter
        self.filterPositions = positions
    }

    mutating func setSearch(_ text: String?, positions: [Int]) {
        if let text { lastSearch = text }
        searchText = text
        searchPositions = positions
    }

    /// The last search run, kept after the search mode ends, for ↑ in a new search prompt.
    public private(set) var lastSearch: String?
}

/// Binary searches on sorted position lists (filter and search results), so stepping never scans them.
extension Array where Element == Int {
    /// The index of the first element greater than `value` (sorted ascending), or `count`.
    func partitionIndex(after value: Int) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first element greater than `value`.
    public func sortedFirst(after value: Int) -> Int? {
        let index = partitionIndex(after: value)
        return index < count ? self[index] : nil
    }

    /// The last element less than `value`.
    public func sortedLast(before value: Int) -> Int? {
        let index = partitionIndex(after: value - 1)
        return index > 0 ? self[index - 1] : nil
    }

    /// The index of `value` in a sorted array, if present.
    public func sortedIndex(of value: Int) -> Int? {
        let index = partitionIndex(after: value - 1)
        return index < count && self[index] == value ? index : nil
    }
}
