import Foundation

/// How a label was given: blind to the judge, with the judge's verdict on screen, or imported from a file.
public enum LabelMode: String, Codable, Sendable, CaseIterable, Hashable {
    case blind
    case verdictShown = "verdict-shown"
    case imported
}

/// A rater's marker that an item needs a second look.
public enum LabelFlag: String, Codable, Sendable, CaseIterable, Hashable {
    case unsure
    case discuss
}

/// Why a label was asked for, when it is not the rater's live label of the item.
///
/// Practice and repeat labels are kept apart from live labels by the one replay rule (`RaterReplay`): they never
/// become or replace an item's current label, so a calibration answer or a hidden second showing cannot change the
/// data the study reports; they feed the rater's gold accuracy and intra-rater agreement instead.
public enum LabelPurpose: String, Codable, Sendable, CaseIterable, Hashable {
    /// An item of the practice round (a gold item with a known answer), answered before live work.
    case practice
    /// A hidden second showing of an item the rater labelled earlier, for intra-rater agreement.
    case `repeat`
}

/// One label place of a rater: an item's live label, or its practice or repeat label.
public struct LabelKey: Hashable, Sendable {
    /// The item's id.
    public var item: String
    /// nil for the live label.
    public var purpose: LabelPurpose?

    /// The place of `item`'s label for `purpose` (nil: live).
    public init(item: String, purpose: LabelPurpose? = nil) {
        self.item = item
        self.purpose = purpose
    }
}

/// How a rater's verdict relates to the judge's.
public enum JudgeAgreement: String, Codable, Sendable, Hashable {
    case agree
    case disagree
    /// The judge gave no verdict on this item.
    case noJudgeVerdict = "no-judge-verdict"
}

/// One line of a rater's append-only annotation log. The latest event for an item wins.
///
/// Events are never rewritten; undo is a `retract` event. Field names on disk are snake_case.
public struct LabelEvent: Codable, Sendable, Hashable {
    /// The newest on-disk schema this build reads and writes: 2 marks events with a `purpose` (practice, repeat)
    /// and 3 an abstention, so an older build, which would take them for live labels, refuses them instead; live
    /// labels and retractions stay schema 1.
    public static let currentSchema = 3

    /// What the event does.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// Sets (or revises) the rater's answer, note and flag for the item.
        case label
        /// Withdraws the rater's current label for the item (undo).
        case retract
        /// The rater cannot judge the item (its text does not allow a verdict): the item is done, its abstention
        /// recorded and counted, and it is left out of agreement and of the reference by rule, not skipped.
        case abstain
    }

    /// The fields, behind one reference: a million events are copied by the replays, columns and queues, and a
    /// copy is then one reference count instead of one a field. Shared until written (copy on write), so an event
    /// is still a plain value.
    private final class Storage: CopiedOnWrite, @unchecked Sendable {
        var schema: Int
        var kind: Kind
        var item: String
        var itemSHA256: String
        var rater: String
        var answer: String?
        var verdict: Verdict?
        var judgeAgreement: JudgeAgreement?
        var mode: LabelMode
        var judgeSeenFirst: Bool
        var revises: String?
        var note: String?
        var flag: LabelFlag?
        var at: Date
        var ms: Int?
        var purpose: LabelPurpose?
        var writer: WriterIdentity?

        init(schema: Int, kind: Kind, item: String, itemSHA256: String, rater: String, answer: String?, verdict: Verdict?, judgeAgreement: JudgeAgreement?, mode: LabelMode, judgeSeenFirst: Bool, revises: String?, note: String?, flag: LabelFlag?, at: Date, ms: Int?, purpose: LabelPurpose?, writer: WriterIdentity?) {
            self.schema = schema
            self.kind = kind
            self.item = item
            self.itemSHA256 = itemSHA256
            self.rater = rater
            self.answer = answer
            self.verdict = verdict
            self.judgeAgreement = judgeAgreement
            self.mode = mode
            self.judgeSeenFirst = judgeSeenFirst
            self.revises = revises
            self.note = note
            self.flag = flag
            self.at = at
            self.ms = ms
            self.purpose = purpose
            self.writer = writer
        }

        func copy() -> Storage {
            Storage(schema: schema, kind: kind, item: item, itemSHA256: itemSHA256, rater: rater, answer: answer, verdict: verdict, judgeAgreement: judgeAgreement, mode: mode, judgeSeenFirst: judgeSeenFirst, revises: revises, note: note, flag: flag, at: at, ms: ms, purpose: purpose, writer: writer)
        }
    }

    private var storage: Storage

    /// Changes a field, copying the fields first when another event shares them.
    private mutating func change(_ body: (Storage) -> Void) {
        body(Storage.owned(&storage))
    }

    public var schema: Int {
        get { storage.schema }
        set { change { $0.schema = newValue } }
    }
    public var kind: Kind {
        get { storage.kind }
        set { change { $0.kind = newValue } }
    }
    /// The item's id in the dataset.
    public var item: String {
        get { storage.item }
        set { change { $0.item = newValue } }
    }
    /// The item's `contentHash` when the label was given, to detect a changed dataset.
    public var itemSHA256: String {
        get { storage.itemSHA256 }
        set { change { $0.itemSHA256 = newValue } }
    }
    public var rater: String {
        get { storage.rater }
        set { change { $0.rater = newValue } }
    }
    /// The rater's answer, one of the criterion's options (nil for a retraction).
    public var answer: String? {
        get { storage.answer }
        set { change { $0.answer = newValue } }
    }
    /// The verdict the answer implies.
    public var verdict: Verdict? {
        get { storage.verdict }
        set { change { $0.verdict = newValue } }
    }
    /// Whether the rater's verdict agrees with the judge's.
    public var judgeAgreement: JudgeAgreement? {
        get { storage.judgeAgreement }
        set { change { $0.judgeAgreement = newValue } }
    }
    public var mode: LabelMode {
        get { storage.mode }
        set { change { $0.mode = newValue } }
    }
    /// Whether the judge's verdict was on screen before the answer was given.
    public var judgeSeenFirst: Bool {
        get { storage.judgeSeenFirst }
        set { change { $0.judgeSeenFirst = newValue } }
    }
    /// For a revision after the reveal: the answer this one replaces.
    public var revises: String? {
        get { storage.revises }
        set { change { $0.revises = newValue } }
    }
    public var note: String? {
        get { storage.note }
        set { change { $0.note = newValue } }
    }
    public var flag: LabelFlag? {
        get { storage.flag }
        set { change { $0.flag = newValue } }
    }
    /// When the event was written, UTC.
    public var at: Date {
        get { storage.at }
        set { change { $0.at = newValue } }
    }
    /// Milliseconds the rater spent on the item before answering (time away from the keyboard left out).
    public var ms: Int? {
        get { storage.ms }
        set { change { $0.ms = newValue } }
    }
    /// Practice or a hidden repeat; nil for the rater's live label.
    public var purpose: LabelPurpose? {
        get { storage.purpose }
        set { change { $0.purpose = newValue } }
    }
    /// Who wrote the line (site and copy of the study); nil in lines written before it was recorded.
    public var writer: WriterIdentity? {
        get { storage.writer }
        set { change { $0.writer = newValue } }
    }

    public init(
        kind: Kind = .label, item: String, itemSHA256: String, rater: String, answer: String?,
        verdict: Verdict?, judgeAgreement: JudgeAgreement?, mode: LabelMode, judgeSeenFirst: Bool,
        revises: String? = nil, note: String? = nil, flag: LabelFlag? = nil, at: Date, ms: Int? = nil,
        purpose: LabelPurpose? = nil, schema: Int? = nil, writer: WriterIdentity? = nil
    ) {
        storage = Storage(
            schema: schema ?? (kind == .abstain ? 3 : purpose == nil ? 1 : 2), kind: kind, item: item, itemSHA256: itemSHA256,
            rater: rater, answer: answer, verdict: verdict, judgeAgreement: judgeAgreement, mode: mode,
            judgeSeenFirst: judgeSeenFirst, revises: revises, note: note, flag: flag, at: at, ms: ms, purpose: purpose,
            writer: writer)
    }

    /// Events are equal when every field is.
    public static func == (lhs: LabelEvent, rhs: LabelEvent) -> Bool {
        if lhs.storage === rhs.storage { return true }
        let a = lhs.storage, b = rhs.storage
        return a.schema == b.schema && a.kind == b.kind && a.item == b.item && a.itemSHA256 == b.itemSHA256
            && a.rater == b.rater && a.answer == b.answer && a.verdict == b.verdict && a.judgeAgreement == b.judgeAgreement
            && a.mode == b.mode && a.judgeSeenFirst == b.judgeSeenFirst && a.revises == b.revises && a.note == b.note
            && a.flag == b.flag && a.at == b.at && a.ms == b.ms && a.purpose == b.purpose && a.writer == b.writer
    }

    /// Hashes the fields `==` compares that tell events apart in practice.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(item)
        hasher.combine(rater)
        hasher.combine(kind)
        hasher.combine(answer)
        hasher.combine(at)
    }

    /// Writes every field under its key, optional ones only when present (what the synthesized encoder wrote).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(kind, forKey: .kind)
        try c.encode(item, forKey: .item)
        try c.encode(itemSHA256, forKey: .itemSHA256)
        try c.encode(rater, forKey: .rater)
        try c.encodeIfPresent(answer, forKey: .answer)
        try c.encodeIfPresent(verdict, forKey: .verdict)
        try c.encodeIfPresent(judgeAgreement, forKey: .judgeAgreement)
        try c.encode(mode, forKey: .mode)
        try c.encode(judgeSeenFirst, forKey: .judgeSeenFirst)
        try c.encodeIfPresent(revises, forKey: .revises)
        try c.encodeIfPresent(note, forKey: .note)
        try c.encodeIfPresent(flag, forKey: .flag)
        try c.encode(at, forKey: .at)
        try c.encodeIfPresent(ms, forKey: .ms)
        try c.encodeIfPresent(purpose, forKey: .purpose)
        try c.encodeIfPresent(writer, forKey: .writer)
    }

    /// An abstention on `item`: the rater cannot judge it (no answer, no verdict).
    public static func abstention(
        item: Item, rater: String, mode: LabelMode, judgeSeenFirst: Bool, note: String? = nil, at: Date, ms: Int? = nil,
        purpose: LabelPurpose? = nil
    ) -> LabelEvent {
        LabelEvent(
            kind: .abstain, item: item.id, itemSHA256: item.computedContentHash, rater: rater, answer: nil, verdict: nil,
            judgeAgreement: nil, mode: mode, judgeSeenFirst: judgeSeenFirst, note: note, at: at, ms: ms, purpose: purpose)
    }

    /// Whether the event settles the item for the rater (a label or an abstention), as against a retraction.
    public var settlesItem: Bool { kind != .retract }

    /// A label event for `item` with the verdict and judge agreement derived from the answer.
    public static func label(
        item: Item, rater: String, answer: String, mode: LabelMode, judgeSeenFirst: Bool,
        revises: String? = nil, note: String? = nil, flag: LabelFlag? = nil, at: Date, ms: Int? = nil,
        purpose: LabelPurpose? = nil
    ) -> LabelEvent {
        let verdict = item.criterion.verdict(for: answer)
        let judgeVerdict = item.judgeVerdict
        let agreement: JudgeAgreement
        if judgeVerdict == .noVerdict || verdict == .noVerdict {
            agreement = .noJudgeVerdict
        } else {
            agreement = judgeVerdict == verdict ? .agree : .disagree
        }
        return LabelEvent(
            item: item.id, itemSHA256: item.computedContentHash, rater: rater,
            answer: item.criterion.option(matching: answer) ?? AnswerNormalizer.normalize(answer),
            verdict: verdict, judgeAgreement: agreement, mode: mode, judgeSeenFirst: judgeSeenFirst,
            revises: revises, note: note, flag: flag, at: at, ms: ms, purpose: purpose)
    }

    /// Which of the rater's labels this event sets: the item's live label, or its practice or repeat label.
    public var key: LabelKey { LabelKey(item: item, purpose: purpose) }

    enum CodingKeys: String, CodingKey {
        case schema, kind, item
        case itemSHA256 = "item_sha256"
        case rater, answer, verdict
        case judgeAgreement = "judge_agreement"
        case mode
        case judgeSeenFirst = "judge_seen_first"
        case revises, note, flag, at, ms, purpose, writer
    }
}

/// ISO 8601 UTC timestamps with milliseconds, e.g. `2026-11-23T19:27:29.123Z`.
public enum Timestamp {
    /// Formats a date in UTC with milliseconds, rounded to the nearest millisecond (halves up).
    ///
    /// Built by hand: the ISO 8601 format style truncates the binary fraction (1_700_000_000.125 came out as
    /// `.124`). The fraction is split off exactly before scaling, and nudged by a tenth of a microsecond so that a
    /// decimal half (`….0005`), which binary stores a hair low, still rounds up; that nudge is below the
    /// resolution a `Date` keeps for present-day times.
    public static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let wholeSeconds = interval.rounded(.down)
        let fraction = interval - wholeSeconds  // exact: this subtraction never rounds
        let totalMilliseconds = Int64(wholeSeconds) * 1000 + Int64((fraction * 1000 + 1e-4).rounded())
        // Floor division, so times before 1970 still get a fraction in 0...999.
        let milliseconds = Int(((totalMilliseconds % 1000) + 1000) % 1000)
        let seconds = (totalMilliseconds - Int64(milliseconds)) / 1000
        // 1600-01-01 to 9999-12-31: by arithmetic (Foundation's calendar is proleptic Gregorian only after 1582,
        // and String(format:) costs microseconds); other years through the calendar.
        if (-11_676_096_000...253_402_300_799).contains(seconds) {
            return formatByArithmetic(seconds: Int(seconds), milliseconds: milliseconds)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, milliseconds)
    }

    private static func formatByArithmetic(seconds: Int, milliseconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSince1970: days)
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at start: Int, digits: Int) {
            var value = value
            for index in stride(from: start + digits - 1, through: start, by: -1) {
                bytes[index] = UInt8(48 + value % 10)
                value /= 10
            }
        }
        put(year, at: 0, digits: 4)
        put(month, at: 5, digits: 2)
        put(day, at: 8, digits: 2)
        put(secondOfDay / 3_600, at: 11, digits: 2)
        put(secondOfDay % 3_600 / 60, at: 14, digits: 2)
        put(secondOfDay % 60, at: 17, digits: 2)
        put(milliseconds, at: 20, digits: 3)
        for (index, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")] {
            bytes[index] = UInt8(ascii: Unicode.Scalar(separator) ?? "?")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's civil_from_days).
    private static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The date a line written with `format` reads back as (to the millisecond).
    public static func asWritten(_ date: Date) -> Date {
        parse(format(date)) ?? date
    }

    /// Parses ISO 8601 with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        if let date = parseCanonical(text) { return date }
        if let date = try? Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)) {
            return date
        }
        return try? Date(text, strategy: .iso8601)
    }

    /// The form `format` writes (`2026-11-23T19:27:29.123Z`), parsed by arithmetic: Foundation's parser costs
    /// about 9 µs a time, which is 9 s over a million label events.
    ///
    /// It gives exactly the `Date` Foundation's parser gives (a test compares them on a million random times):
    /// seconds from the reference date plus the milliseconds, in that order of rounding. Times within 27 months of
    /// the reference date (2001), where Foundation's rounding of the fraction differs in the last bit, and
    /// anything not in this exact form, return nil and take Foundation's path.
    static func parseCanonical(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                  bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                  bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z") else { return nil }
            func number(_ start: Int, _ count: Int) -> Int? {
                var value = 0
                for index in start..<(start + count) {
                    let digit = Int(bytes[index]) - 48
                    guard digit >= 0, digit <= 9 else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                  let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                  let milliseconds = number(20, 3),
                  (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
                  hour <= 23, minute <= 59, second <= 59 else { return nil }
            let seconds = daysSince1970(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
            let secondsFromReference = seconds - 978_307_200
            guard abs(secondsFromReference) > 70_000_000 else { return nil }
            return Date(timeIntervalSinceReferenceDate: Double(secondsFromReference) + Double(milliseconds) / 1000)
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Where labels go: the annotation store implements it with write + fsync; tests may use memory.
public protocol LabelSink: AnyObject {
    /// Appends an event durably; returns only once it would survive a crash.
    func append(_ event: LabelEvent) throws
}
