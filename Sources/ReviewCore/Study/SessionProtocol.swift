import Foundation

/// What the label console does for the strain of the work: breaks, a daily cap, content notices, a practice round.
///
/// Set for a study in `study.json` under `"session"` (every field optional; a missing one takes its default) and
/// overridden per session by `label` options. A limit of 0 turns that guard off.
///
/// ```json
/// "session": {"break_after_minutes": 45, "break_after_items": 100, "daily_cap": 300, "idle_minutes": 5,
///             "content_notice": "session", "notice_conditions": ["suicid", "mania"], "practice": true,
///             "support_line": "Talk to the study lead, Dr. N, on 0123 456 789"}
/// ```
public struct SessionProtocol: Codable, Sendable, Equatable {
    /// When the content notice is shown before an item of a notice condition.
    public enum ContentNotice: String, Codable, Sendable, CaseIterable {
        /// Never.
        case off
        /// Before the first such item of each session.
        case session
        /// Before every such item (opt-in: it interrupts often).
        case item
    }

    /// A break prompt after this many minutes at the keyboard since the last break (0: off).
    public var breakAfterMinutes: Int = 45
    /// A break prompt after this many items labelled since the last break (0: off).
    public var breakAfterItems: Int = 100
    /// Items a rater labels in one calendar day (local time) before the console asks whether to go on (0: off).
    public var dailyCap: Int = 300
    /// A gap of this many minutes without a key is time away: it counts neither as time on the item nor toward a break.
    public var idleMinutes: Int = 5
    /// When the content notice appears.
    public var contentNotice: ContentNotice = .session
    /// Lowercased parts of a condition's name that call for the notice; empty: the acute-risk conditions (`AcuteRisk`).
    public var noticeConditions: [String] = []
    /// Whether a rater with gold items in the assignment does the practice round before live items.
    public var practice: Bool = true
    /// Where to turn for support, shown in the content notice and the break prompt (the study's own words).
    public var supportLine: String?

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case breakAfterMinutes = "break_after_minutes"
        case breakAfterItems = "break_after_items"
        case dailyCap = "daily_cap"
        case idleMinutes = "idle_minutes"
        case contentNotice = "content_notice"
        case noticeConditions = "notice_conditions"
        case practice
        case supportLine = "support_line"
    }

    /// Reads the fields present; the others keep their defaults. Out-of-range values are refused.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SessionProtocol()
        func limit(_ key: CodingKeys, _ fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let value = try container.decodeIfPresent(Int.self, forKey: key) else { return fallback }
            guard range.contains(value) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "\(key.rawValue) must lie in \(range.lowerBound)...\(range.upperBound), not \(value)")
            }
            return value
        }
        breakAfterMinutes = try limit(.breakAfterMinutes, defaults.breakAfterMinutes, range: Self.minutesRange)
        breakAfterItems = try limit(.breakAfterItems, defaults.breakAfterItems, range: Self.itemsRange)
        dailyCap = try limit(.dailyCap, defaults.dailyCap, range: Self.itemsRange)
        idleMinutes = try limit(.idleMinutes, defaults.idleMinutes, range: 1...Self.minutesRange.upperBound)
        contentNotice = try container.decodeIfPresent(ContentNotice.self, forKey: .contentNotice) ?? defaults.contentNotice
        // Blank entries would match every condition: left out.
        noticeConditions = try container.decodeIfPresent([String].self, forKey: .noticeConditions)?
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty } ?? []
        practice = try container.decodeIfPresent(Bool.self, forKey: .practice) ?? defaults.practice
        supportLine = try container.decodeIfPresent(String.self, forKey: .supportLine)
        if let supportLine, supportLine.count > 200 {
            throw DecodingError.dataCorruptedError(forKey: .supportLine, in: container, debugDescription: "support_line is longer than 200 characters")
        }
    }

    /// The minutes a limit may take (0 is off; a day at most).
    public static let minutesRange = 0...1_440
    /// The items a limit may take (0 is off).
    public static let itemsRange = 0...1_000_000

    /// Whether an item of `condition` calls for the content notice.
    public func needsNotice(condition: String) -> Bool {
        guard contentNotice != .off else { return false }
        if noticeConditions.isEmpty { return AcuteRisk.rank(of: condition) != nil }
        let text = condition.lowercased()
        return noticeConditions.contains { text.contains($0) }
    }
}
