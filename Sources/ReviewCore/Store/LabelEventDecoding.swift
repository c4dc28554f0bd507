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
            schema: schema)
    }
}
