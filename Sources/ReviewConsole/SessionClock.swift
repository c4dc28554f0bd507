import Foundation
import ReviewCore

/// A prompt of the session protocol, shown before an item (both consoles).
public enum SessionPrompt: Sendable, Equatable {
    /// Time for a break: why (minutes or items since the last one).
    case breakDue(reason: String)
    /// The daily cap is reached: items done today.
    case dailyCap(itemsToday: Int)
    /// The item is of a condition the study gives a content notice for; it stays hidden until Enter.
    case contentNotice(condition: String)
}

extension SessionPrompt {
    /// What the status line says once the prompt is dismissed.
    public var dismissedMessage: String? {
        switch self {
        case .breakDue: "welcome back: the break counter starts again"
        case .dailyCap: "going on past the daily cap (asked once a session)"
        case .contentNotice: nil
        }
    }
}

/// The session's time at the keyboard and its counts, for the header, the break prompt and the daily cap.
///
/// Time at the keyboard is the sum of the gaps between keys, a gap longer than the protocol's idle limit counting
/// as time away (neither on the item nor toward a break).
public struct SessionClock: Sendable, Equatable {
    /// The protocol the session follows.
    public let rules: SessionProtocol
    /// Seconds at the keyboard this session.
    public private(set) var activeSeconds: TimeInterval = 0
    /// Items given a first answer this session (revisions, flags and notes are not new items).
    public private(set) var itemsThisSession = 0
    /// Items labelled today before this session opened (from the rater's log).
    public let itemsTodayBefore: Int
    /// The active seconds and items at the last break (or the session start).
    public private(set) var lastBreak: (seconds: TimeInterval, items: Int) = (0, 0)
    /// Whether the rater chose to go on past the daily cap (asked once a session).
    public private(set) var capAcknowledged = false
    /// Whether the content notice has been shown this session.
    public private(set) var noticeShown = false
    /// The last key's time.
    private var lastInput: Date

    /// A clock started at `now`, with `itemsTodayBefore` items already labelled today.
    public init(rules: SessionProtocol, itemsTodayBefore: Int = 0, now: Date) {
        self.rules = rules
        self.itemsTodayBefore = itemsTodayBefore
        self.lastInput = now
    }

    /// Clocks are equal when every count and time is (the tuple field keeps `Equatable` from being synthesised).
    public static func == (lhs: SessionClock, rhs: SessionClock) -> Bool {
        lhs.rules == rhs.rules && lhs.activeSeconds == rhs.activeSeconds && lhs.itemsThisSession == rhs.itemsThisSession
            && lhs.itemsTodayBefore == rhs.itemsTodayBefore && lhs.lastBreak == rhs.lastBreak
            && lhs.capAcknowledged == rhs.capAcknowledged && lhs.noticeShown == rhs.noticeShown && lhs.lastInput == rhs.lastInput
    }

    /// Counts a key at `now`; returns the seconds of time away before it (0 when the gap was short).
    mutating func input(at now: Date) -> TimeInterval {
        let gap = max(0, now.timeIntervalSince(lastInput))
        lastInput = max(lastInput, now)
        if gap > TimeInterval(rules.idleMinutes * 60) { return gap }
        activeSeconds += gap
        return 0
    }

    /// Counts an item answered for the first time this session.
    mutating func countItem() { itemsThisSession += 1 }

    /// Items labelled today, this session included.
    public var itemsToday: Int { itemsTodayBefore + itemsThisSession }

    /// Why a break is due now, or nil.
    public var breakDue: String? {
        let minutes = Int((activeSeconds - lastBreak.seconds) / 60)
        let items = itemsThisSession - lastBreak.items
        if rules.breakAfterItems > 0, items >= rules.breakAfterItems { return "\(items) item\(items == 1 ? "" : "s") since your last break" }
        if rules.breakAfterMinutes > 0, minutes >= rules.breakAfterMinutes { return "\(minutes) minute\(minutes == 1 ? "" : "s") at the keyboard since your last break" }
        return nil
    }

    /// Whether the daily cap is reached and the rater has not chosen to go on.
    public var capReached: Bool { rules.dailyCap > 0 && !capAcknowledged && itemsToday >= rules.dailyCap }

    /// The prompt due on arriving at an item of `condition`, in order: a break, the daily cap, the content
    /// notice; nil when none is. The one rule of both consoles.
    public func prompt(arrivingAt condition: String) -> SessionPrompt? {
        if let reason = breakDue { return .breakDue(reason: reason) }
        if capReached { return .dailyCap(itemsToday: itemsToday) }
        if rules.needsNotice(condition: condition), rules.contentNotice == .item || !noticeShown {
            return .contentNotice(condition: condition)
        }
        return nil
    }

    /// Enter on a prompt: a break taken (the counts start again), the cap passed (asked once a session), the
    /// notice read.
    mutating func dismiss(_ prompt: SessionPrompt) {
        switch prompt {
        case .breakDue: lastBreak = (activeSeconds, itemsThisSession)
        case .dailyCap: capAcknowledged = true
        case .contentNotice: noticeShown = true
        }
    }

    /// `0:42` (hours and minutes at the keyboard).
    public var activeText: String {
        let minutes = Int(activeSeconds / 60)
        return "\(minutes / 60):" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)"
    }

    /// Distinct items a rater labelled (answers, revisions, practice and repeats) on the local calendar day of `now`.
    public static func itemsLabelled(on now: Date, in history: [LabelEvent], calendar: Calendar = .current) -> Int {
        itemsDone(on: now, in: history, item: { $0.settlesItem ? $0.item : nil }, at: \.at, calendar: calendar)
    }

    /// Distinct items an adjudicator decided on the local calendar day of `now`.
    public static func itemsDecided(on now: Date, in history: [AdjudicationEvent], calendar: Calendar = .current) -> Int {
        itemsDone(on: now, in: history, item: { $0.kind == .decision ? $0.item : nil }, at: \.at, calendar: calendar)
    }

    /// Distinct items of the records on the day of `now` (`item` nil: a record that does not count), read from the
    /// log's end.
    static func itemsDone<Record>(on now: Date, in records: [Record], item: (Record) -> String?, at: (Record) -> Date,
                                  calendar: Calendar) -> Int {
        var items: Set<String> = []
        for record in records.reversed() {
            let time = at(record)
            guard calendar.isDate(time, inSameDayAs: now) else {
                // Logs are in time order but a wrong clock could break it; stop only well before the day.
                if time < now.addingTimeInterval(-2 * 86_400) { break }
                continue
            }
            if let id = item(record) { items.insert(id) }
        }
        return items.count
    }
}

extension SessionProtocol {
    /// Every guard off: no breaks, no cap, no notice, no practice (tests and tools that drive the console).
    public static var off: SessionProtocol {
        var rules = SessionProtocol()
        rules.breakAfterMinutes = 0
        rules.breakAfterItems = 0
        rules.dailyCap = 0
        rules.contentNotice = .off
        rules.practice = false
        return rules
    }
}
