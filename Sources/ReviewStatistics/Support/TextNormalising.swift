import Foundation

/// The two text clean-ups every reader applies (trimming, line endings), each written once, with a shortcut for
/// the common case where there is nothing to do: at a million rows, Foundation's bridged versions cost seconds.
extension StringProtocol {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`.
    public var trimmedOfWhitespaceAndNewlines: String {
        trimmed(isSpace: { $0 == 0x20 || (0x09...0x0D).contains($0) }, set: .whitespacesAndNewlines)
    }

    /// `trimmingCharacters(in: .whitespaces)` (spaces and tabs; line breaks stay).
    public var trimmedOfWhitespace: String {
        trimmed(isSpace: { $0 == 0x20 || $0 == 0x09 }, set: .whitespaces)
    }

    /// Self when its first and last bytes are ASCII and not in the set (nothing to trim), else Foundation's trim.
    /// `isSpace` lists the set's ASCII members; any non-ASCII end byte takes Foundation's path.
    private func trimmed(isSpace: (UInt8) -> Bool, set: CharacterSet) -> String {
        let bytes = utf8
        guard let first = bytes.first else { return "" }
        let last = bytes[bytes.index(bytes.endIndex, offsetBy: -1)]
        if first < 0x80, last < 0x80, !isSpace(first), !isSpace(last) { return String(self) }
        return trimmingCharacters(in: set)
    }
}

/// Line endings as a rater sees them: CRLF and a lone CR become LF.
public enum LineEndings {
    /// The text with CRLF and CR turned into LF (the text itself when it has no CR).
    public static func normalised(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}
