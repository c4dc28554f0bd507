import Foundation
import ReviewStatistics

/// One rater's answer as the adjudicator saw it: under an alias (R1, R2, ...), never the name.
public struct ConsideredAnswer: Codable, Sendable, Hashable {
    /// The alias shown on screen, e.g. `R1`; `AdjudicationAliases` reproduces the mapping.
    public var rater: String
    /// The rater's answer, normalised.
    public var answer: String?
    /// The verdict the answer implies.
    public var verdict: Verdict?

    /// One considered answer under its alias.
    public init(rater: String, answer: String?, verdict: Verdict?) {
        self.rater = rater
        self.answer = answer
        self.verdict = verdict
    }
}

/// Why an adjudication event was refused before it reached the log.
public struct AdjudicationEventError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong, in one line.
    public var message: String
    /// The message, for printing.
    public var description: String { message }

    /// An error with this one-line message.
    public init(_ message: String) { self.message = message }
}

/// One line of an adjudicator's append-only log: a final decision on an item, or the reveal of rater names.
///
/// Reveals are events of their own so that "names were seen" is on record even when no decision followed.
/// Field names on disk are snake_case; times are ISO 8601 UTC with milliseconds (as in rater logs).
public struct AdjudicationEvent: Codable, Sendable, Hashable {
    /// The on-disk schema this build writes.
    public static let currentSchema = 1

    /// What the event records.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// The adjudicator's final answer for the item, with its rationale.
        case decision
        /// The adjudicator revealed the raters' names on this item.
        case reveal
    }

    /// The schema version the line was written with.
    public var schema: Int
    /// Decision or reveal.
    public var kind: Kind
    /// The item's id in the dataset.
    public var item: String
    /// The item's `contentHash` when the event was written, to detect a changed dataset.
    public var itemSHA256: String
    /// Who wrote the event (names the log file).
    public var adjudicator: String
    /// The final answer, one of the criterion's options (nil for a reveal).
    public var answer: String?
    /// The verdict the answer implies (nil for a reveal).
    public var verdict: Verdict?
    /// Why the adjudicator chose the answer: required for a decision, one non-empty line.
    public var rationale: String?
    /// The raters' answers on screen when the decision was taken, under their aliases.
    public var considered: [ConsideredAnswer]
    /// Whether the raters' names had been revealed on this item before the event.
    public var namesRevealed: Bool
    /// When the event was written, UTC.
    public var at: Date
    /// Milliseconds the adjudicator spent on the item before the event.
    public var ms: Int?
    /// Who wrote the line (site and copy of the study); nil in lines written before it was recorded.
    public var writer: WriterIdentity?

    /// An event with every field given; prefer `decision(...)` and `reveal(...)`, which check their input.
    public init(
        kind: Kind, item: String, itemSHA256: String, adjudicator: String, answer: String? = nil,
        verdict: Verdict? = nil, rationale: String? = nil, considered: [ConsideredAnswer] = [],
        namesRevealed: Bool, at: Date, ms: Int? = nil, schema: Int = AdjudicationEvent.currentSchema
    ) {
        self.schema = schema
        self.kind = kind
        self.item = item
        self.itemSHA256 = itemSHA256
        self.adjudicator = adjudicator
        self.answer = answer
        self.verdict = verdict
        self.rationale = rationale
        self.considered = considered
        self.namesRevealed = namesRevealed
        self.at = at
        self.ms = ms
    }

    /// A decision on `item`, checked: the answer must be one of the options and the rationale one non-empty line.
    public static func decision(
        item: Item, adjudicator: String, answer: String, rationale: String, considered: [ConsideredAnswer],
        namesRevealed: Bool, at: Date, ms: Int?
    ) throws -> AdjudicationEvent {
        guard let option = item.criterion.option(matching: answer) else {
            throw AdjudicationEventError(
                "\"\(answer)\" is not one of the options (\(item.criterion.options.joined(separator: ", ")))")
        }
        let line = try checkedRationale(rationale)
        return AdjudicationEvent(
            kind: .decision, item: item.id, itemSHA256: item.computedContentHash, adjudicator: adjudicator, answer: option,
            verdict: item.criterion.verdict(for: option), rationale: line, considered: considered,
            namesRevealed: namesRevealed, at: at, ms: ms)
    }

    /// The record that the adjudicator revealed the raters' names on `item`.
    public static func reveal(item: Item, adjudicator: String, at: Date, ms: Int?) -> AdjudicationEvent {
        AdjudicationEvent(
            kind: .reveal, item: item.id, itemSHA256: item.computedContentHash, adjudicator: adjudicator,
            namesRevealed: true, at: at, ms: ms)
    }

    /// The rationale trimmed, or an error when it is empty or spans several lines.
    public static func checkedRationale(_ text: String) throws -> String {
        let trimmed = text.trimmedOfWhitespace
        if trimmed.isEmpty { throw AdjudicationEventError("a rationale is required (one line)") }
        if trimmed.contains(where: { $0.isNewline }) {
            throw AdjudicationEventError("the rationale must be one line")
        }
        return trimmed
    }

    enum CodingKeys: String, CodingKey {
        case schema, kind, item
        case itemSHA256 = "item_sha256"
        case adjudicator, answer, verdict, rationale, considered
        case namesRevealed = "names_revealed"
        case at, ms, writer
    }

    /// Decodes a log line, refusing a decision without an answer or rationale and a newer schema.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decode(Int.self, forKey: .schema)
        kind = try c.decode(Kind.self, forKey: .kind)
        item = try c.decode(String.self, forKey: .item)
        itemSHA256 = try c.decode(String.self, forKey: .itemSHA256)
        adjudicator = try c.decode(String.self, forKey: .adjudicator)
        answer = try c.decodeIfPresent(String.self, forKey: .answer)
        verdict = try c.decodeIfPresent(Verdict.self, forKey: .verdict)
        rationale = try c.decodeIfPresent(String.self, forKey: .rationale)
        considered = try c.decodeIfPresent([ConsideredAnswer].self, forKey: .considered) ?? []
        namesRevealed = try c.decodeIfPresent(Bool.self, forKey: .namesRevealed) ?? false
        at = try c.decode(Date.self, forKey: .at)
        ms = try c.decodeIfPresent(Int.self, forKey: .ms)
        writer = try c.decodeIfPresent(WriterIdentity.self, forKey: .writer)
        if schema > AdjudicationEvent.currentSchema {
            throw DecodingError.dataCorruptedError(
                forKey: .schema, in: c, debugDescription: "schema \(schema) is newer than this build reads (\(AdjudicationEvent.currentSchema))")
        }
        if kind == .decision {
            if answer == nil {
                throw DecodingError.keyNotFound(CodingKeys.answer, .init(codingPath: [], debugDescription: "a decision needs an answer"))
            }
            if (rationale ?? "").trimmedOfWhitespace.isEmpty {
                throw DecodingError.dataCorruptedError(forKey: .rationale, in: c, debugDescription: "a decision needs a non-empty rationale")
            }
        }
    }

    /// The event as one JSON line (no trailing newline), with the encoder rater logs use.
    public func encodedLine() throws -> Data {
        try LogJSON.encoder().encode(self)
    }

    /// Decodes one JSON line written by `encodedLine()`.
    public static func decode(line: Data) throws -> AdjudicationEvent {
        try LogJSON.decoder().decode(AdjudicationEvent.self, from: line)
    }
}
