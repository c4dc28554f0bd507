import Foundation

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

    /// The rater goes on after a break prompt: the counts start again.
    mutating func tookBreak() { lastBreak = (activeSeconds, itemsThisSession) }

    /// The rater goes on past the daily cap.
    mutating func acknowledgeCap() { capAcknowledged = true }

    /// The content notice was shown.
    mutating func noteNoticeShown() { noticeShown = true }

    /// `0:42` (hours and minutes at the keyboard).
    public var activeText: String {
        let minutes = Int(activeSeconds / 60)
        return "\(minutes / 60):" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)"
    }

    /// Distinct items a rater labelled (live, first answers or revisions) on the local calendar day of `now`.
    public static func itemsLabelled(on now: Date, in history: [LabelEvent], calendar: Calendar = .current) -> Int {
        var items: Set<String> = []
        for event in history.reversed() {
            guard calendar.isDate(event.at, inSameDayAs: now) else {
                // Logs are in time order but a wrong clock could break it; stop only well before the day.
                if event.at < now.addingTimeInterval(-2 * 86_400) { break }
                continue
            }
            if event.kind == .label { items.insert(event.item) }
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
