import Foundation

/// A log line written by a newer judge-review than this one: refused rather than misread.
public struct SchemaTooNewError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The schema number on the line.
    public var found: Int
    /// The newest schema this build reads (`LabelEvent.currentSchema`).
    public var supported: Int

    /// The error as one line for the user.
    public var description: String {
        "schema \(found) is newer than this judge-review understands (up to \(supported)); update judge-review to read this log"
    }
}

extension LabelEvent {
    /// Decodes one log line, checking the schema first so a newer format is refused with a clear message.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let schema = try container.decode(Int.self, forKey: .schema)
        guard schema <= LabelEvent.currentSchema else {
            throw SchemaTooNewError(found: schema, supported: LabelEvent.currentSchema)
        }
        guard schema >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .schema, in: container, debugDescription: "schema must be 1 or more, got \(schema)")
        }
        self.init(
            kind: try container.decode(Kind.self, forKey: .kind),
            item: try container.decode(String.self, forKey: .item),
            itemSHA256: try container.decode(String.self, forKey: .itemSHA256),
            rater: try container.decode(String.self, forKey: .rater),
            answer: try container.decodeIfPresent(String.self, forKey: .answer),
            verdict: try container.decodeIfPresent(Verdict.self, forKey: .verdict),
            judgeAgreement: try container.decodeIfPresent(JudgeAgreement.self, forKey: .judgeAgreement),
            mode: try container.decode(LabelMode.self, forKey: .mode),
            judgeSeenFirst: try container.decode(Bool.self, forKey: .judgeSeenFirst),
            revises: try container.decodeIfPresent(String.self, forKey: .revises),
            note: try container.decodeIfPresent(String.self, forKey: .note),
            flag: try container.decodeIfPresent(LabelFlag.self, forKey: .flag),
            at: try container.decode(Date.self, forKey: .at),
            ms: try container.decodeIfPresent(Int.self, forKey: .ms),
            purpose: try container.decodeIfPresent(LabelPurpose.self, forKey: .purpose),
            schema: schema,
            writer: try container.decodeIfPresent(WriterIdentity.self, forKey: .writer))
    }
}

/// Reads label log lines the fast way (`JSONCursor`), with JSONDecoder for every line the cursor declines.
///
/// The cursor reads exactly the fields `LabelEvent.init(from:)` reads, with the same rules; an unknown or repeated
/// key, a schema outside 1...current or a time it cannot parse is declined, so JSONDecoder decides (and words the
/// error). The one way any log reader decodes a label event.
public final class LabelEventReader {
    private let interner = StringInterner(capacity: 1 << 12)
    private let decoder = LogJSON.decoder()
    /// The last time text read and its value: a bulk import writes one time on every line.
    private var lastTime: (text: String, date: Date)?
    private var lastWriter: WriterIdentity?

    public init() {}

    /// The event on one log line.
    public func decode(_ line: UnsafeRawBufferPointer) throws -> LabelEvent {
        if var cursor = try? JSONCursor(line), let event = try? read(&cursor) { return event }
        return try decoder.decode(LabelEvent.self, from: Data(line))
    }

    private func read(_ cursor: inout JSONCursor) throws -> LabelEvent {
        var seen = FieldSet()
        var schema: Int?, kind: LabelEvent.Kind?, item: String?, itemSHA256: String?, rater: String?
        var answer: String?, verdict: Verdict?, judgeAgreement: JudgeAgreement?, mode: LabelMode?
        var judgeSeenFirst: Bool?, revises: String?, note: String?, flag: LabelFlag?, at: Date?, ms: Int?
        var purpose: LabelPurpose?
        var writer: WriterIdentity?
        let interner = self.interner
        try cursor.forEachMember { cursor, key in
            if key.spells("schema") {
                try seen.insert(0)
                schema = try cursor.int()
            } else if key.spells("kind") {
                try seen.insert(1)
                kind = try cursor.value(of: LabelEvent.Kind.self, interning: interner)
            } else if key.spells("item") {
                try seen.insert(2)
                item = try cursor.string()
            } else if key.spells("item_sha256") {
                try seen.insert(3)
                itemSHA256 = try cursor.string()
            } else if key.spells("rater") {
                try seen.insert(4)
                rater = try cursor.string(interning: interner)
            } else if key.spells("answer") {
                try seen.insert(5)
                answer = try cursor.optionalString(interning: interner)
            } else if key.spells("verdict") {
                try seen.insert(6)
                verdict = try cursor.optionalValue(of: Verdict.self, interning: interner)
            } else if key.spells("judge_agreement") {
                try seen.insert(7)
                judgeAgreement = try cursor.optionalValue(of: JudgeAgreement.self, interning: interner)
            } else if key.spells("mode") {
                try seen.insert(8)
                mode = try cursor.value(of: LabelMode.self, interning: interner)
            } else if key.spells("judge_seen_first") {
                try seen.insert(9)
                judgeSeenFirst = try cursor.bool()
            } else if key.spells("revises") {
                try seen.insert(10)
                revises = try cursor.optionalString(interning: interner)
            } else if key.spells("note") {
                try seen.insert(11)
                note = try cursor.optionalString()
            } else if key.spells("flag") {
                try seen.insert(12)
                flag = try cursor.optionalValue(of: LabelFlag.self, interning: interner)
            } else if key.spells("at") {
                try seen.insert(13)
                at = try time(try cursor.string())
            } else if key.spells("ms") {
                try seen.insert(14)
                ms = try cursor.optionalInt()
            } else if key.spells("purpose") {
                try seen.insert(15)
                purpose = try cursor.optionalValue(of: LabelPurpose.self, interning: interner)
            } else if key.spells("writer") {
                try seen.insert(16)
                writer = try readWriter(&cursor)
            } else {
                throw JSONCursor.Declined()
            }
        }
        try cursor.finish()
        guard let schema, (1...LabelEvent.currentSchema).contains(schema), let kind, let item, let itemSHA256,
              let rater, let mode, let judgeSeenFirst, let at else { throw JSONCursor.Declined() }
        return LabelEvent(
            kind: kind, item: item, itemSHA256: itemSHA256, rater: rater, answer: answer, verdict: verdict,
            judgeAgreement: judgeAgreement, mode: mode, judgeSeenFirst: judgeSeenFirst, revises: revises, note: note,
            flag: flag, at: at, ms: ms, purpose: purpose, schema: schema, writer: writer)
    }

    /// A line's writer: `{"installation": …, "site": …}`, both required, nothing else; the last one read is kept
    /// (a log's lines nearly all share one).
    private func readWriter(_ cursor: inout JSONCursor) throws -> WriterIdentity? {
        if try cursor.consumeNull() { return nil }
        var site: String?, installation: String?
        let interner = self.interner
        try cursor.forEachMember { cursor, key in
            if key.spells("site"), site == nil {
                site = try cursor.string(interning: interner)
            } else if key.spells("installation"), installation == nil {
                installation = try cursor.string(interning: interner)
            } else {
                throw JSONCursor.Declined()
            }
        }
        guard let site, let installation else { throw JSONCursor.Declined() }
        if let lastWriter, lastWriter.site == site, lastWriter.installation == installation { return lastWriter }
        let writer = WriterIdentity(site: site, installation: installation)
        lastWriter = writer
        return writer
    }

    private func time(_ text: String) throws -> Date {
        if let lastTime, lastTime.text == text { return lastTime.date }
        guard let date = Timestamp.parse(text) else { throw JSONCursor.Declined() }
        lastTime = (text, date)
        return date
    }
}

extension LabelEvent {
    /// The event's log line without its newline: the bytes `LogJSON.encoder()` would write, written directly.
    public func jsonLine() -> Data {
        var line = JSONWriter(capacity: 320)
        line.object { json in
            json.field("answer", answer)
            json.key("at"); json.string(Timestamp.format(at))
            json.field("flag", flag?.rawValue)
            json.key("item"); json.string(item)
            json.key("item_sha256"); json.string(itemSHA256)
            json.field("judge_agreement", judgeAgreement?.rawValue)
            json.key("judge_seen_first"); json.bool(judgeSeenFirst)
            json.key("kind"); json.string(kind.rawValue)
            json.key("mode"); json.string(mode.rawValue)
            json.field("ms", ms)
            json.field("note", note)
            json.field("purpose", purpose?.rawValue)
            json.key("rater"); json.string(rater)
            json.field("revises", revises)
            json.key("schema"); json.int(schema)
            json.field("verdict", verdict?.rawValue)
            if let writer = self.writer {
                json.key("writer")
                json.object { json in
                    json.key("installation"); json.string(writer.installation)
                    json.key("site"); json.string(writer.site)
                }
            }
        }
        return Data(line.bytes)
    }
}
