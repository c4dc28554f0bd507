import Foundation
import ReviewStatistics

/// Reads the paper's Python-style list literals, e.g. `['I feel low.', "It's hard", 'Where ...?']`.
///
/// Single- and double-quoted strings with Python escapes (`\n`, `\'`, `\xhh`, `\uXXXX`, `\UXXXXXXXX`, octal),
/// optional `r`/`u` prefixes and a trailing comma. Some released files contain an unescaped apostrophe inside a
/// single-quoted string (`'you're'`); a quote therefore only closes a string when a `,` and another string, or
/// the closing `]`, follow it. For every valid literal this gives exactly Python's reading.
enum PythonListLiteral {
    /// Why a literal could not be read, with the character offset where reading stopped.
    struct ParseError: Error, Equatable {
        var offset: Int
        var message: String
    }

    /// Whether `text` is shaped like a list literal (starts with `[` and ends with `]`, ignoring spaces).
    static func looksLikeList(_ text: String) -> Bool {
        let trimmed = text.trimmedOfWhitespaceAndNewlines
        return trimmed.hasPrefix("[") && trimmed.hasSuffix("]")
    }

    /// The strings of a list literal, in order.
    static func parseStrings(_ text: String) throws -> [String] {
        var parser = Parser(characters: Array(text.unicodeScalars))
        return try parser.parseList()
    }

    /// The messages of a chat as Python prints it: `[{'role': 'user', 'content': "..."}, ...]`, each dict's string
    /// values by key (a value that is not a string is an error).
    static func parseMessages(_ text: String) throws -> [[String: String]] {
        var parser = Parser(characters: Array(text.unicodeScalars))
        parser.inDictionaries = true
        return try parser.parseDictionaryList()
    }

    /// A cursor over the literal's scalars; one method per piece of the grammar.
    private struct Parser {
        let characters: [Unicode.Scalar]
        var position = 0
        /// Reading a list of dictionaries: a quote also closes a string before `:` or `}`.
        var inDictionaries = false

        init(characters: [Unicode.Scalar]) {
            self.characters = characters
        }

        private var current: Unicode.Scalar? { position < characters.count ? characters[position] : nil }

        private func fail(_ message: String) -> ParseError {
            ParseError(offset: position, message: message)
        }

        private mutating func skipSpaces() {
            while let c = current, c.properties.isWhitespace { position += 1 }
        }

        mutating func parseList() throws -> [String] {
            skipSpaces()
            guard current == "[" else { throw fail("expected [") }
            position += 1
            var strings: [String] = []
            skipSpaces()
            if current == "]" {
                position += 1
            } else {
                while true {
                    skipSpaces()
                    strings.append(try parseString())
                    skipSpaces()
                    if current == "," {
                        position += 1
                        skipSpaces()
                        if current == "]" { position += 1; break }  // trailing comma
                        continue
                    }
                    if current == "]" { position += 1; break }
                    throw fail(current == nil ? "list is not closed with ]" : "expected , or ] after a string")
                }
            }
            skipSpaces()
            guard current == nil else { throw fail("unexpected text after the closing ]") }
            return strings
        }

        mutating func parseDictionaryList() throws -> [[String: String]] {
            skipSpaces()
            guard current == "[" else { throw fail("expected [") }
            position += 1
            var dictionaries: [[String: String]] = []
            while true {
                skipSpaces()
                if current == "]" { position += 1; break }
                guard current == "{" else { throw fail(current == nil ? "list is not closed with ]" : "expected {") }
                position += 1
                var dictionary: [String: String] = [:]
                while true {
                    skipSpaces()
                    if current == "}" { position += 1; break }
                    let key = try parseString()
                    skipSpaces()
                    guard current == ":" else { throw fail("expected : after a key") }
                    position += 1
                    skipSpaces()
                    dictionary[key] = try parseString()
                    skipSpaces()
                    if current == "," { position += 1; continue }
                    if current == "}" { position += 1; break }
                    throw fail("expected , or } in a dictionary")
                }
                dictionaries.append(dictionary)
                skipSpaces()
                if current == "," { position += 1; continue }
                if current == "]" { position += 1; break }
                throw fail("expected , or ] after a dictionary")
            }
            skipSpaces()
            guard current == nil else { throw fail("unexpected text after the closing ]") }
            return dictionaries
        }

        /// Position just past a string prefix (`r`, `u`, `R`, `U`, `b`, combinations) and the quote, if one starts here.
        private func stringStart(at start: Int) -> Int? {
            var index = start
            while index < characters.count, index - start < 2, "rRuUbB".unicodeScalars.contains(characters[index]) {
                index += 1
            }
            guard index < characters.count, characters[index] == "'" || characters[index] == "\"" else { return nil }
            return index
        }

        /// Whether a quote at `index` really closes the string: what follows must be `,` and another string
        /// (or `]`), or the closing `]` at the end of the text.
        private func closesString(at index: Int) -> Bool {
            var next = index + 1
            func skip() { while next < characters.count, characters[next].properties.isWhitespace { next += 1 } }
            skip()
            guard next < characters.count else { return false }
            if inDictionaries {
                // In a dictionary a string ends before `:` (a key), `}`, or `,` and another key or the dict's end.
                switch characters[next] {
                case ":", "}": return true
                case ",":
                    next += 1
                    skip()
                    return next < characters.count && (characters[next] == "}" || stringStart(at: next) != nil)
                default: return false
                }
            }
            if characters[next] == "]" {
                next += 1
                skip()
                return next == characters.count
            }
            guard characters[next] == "," else { return false }
            next += 1
            skip()
            guard next < characters.count else { return false }
            if characters[next] == "]" { return true }
            return stringStart(at: next) != nil
        }

        mutating func parseString() throws -> String {
            guard let quoteIndex = stringStart(at: position) else {
                throw fail(current == nil ? "list is not closed with ]" : "expected a quoted string")
            }
            let prefix = String(String.UnicodeScalarView(characters[position..<quoteIndex])).lowercased()
            let raw = prefix.contains("r")
            let quote = characters[quoteIndex]
            let tripled = quoteIndex + 2 < characters.count
                && characters[quoteIndex + 1] == quote && characters[quoteIndex + 2] == quote
            position = quoteIndex + (tripled ? 3 : 1)
            var out = String.UnicodeScalarView()
            while true {
                guard let c = current else { throw fail("string is not closed") }
                if c == "\\" {
                    try readEscape(into: &out, raw: raw)
                    continue
                }
                if c == quote {
                    if tripled {
                        if position + 2 < characters.count, characters[position + 1] == quote, characters[position + 2] == quote {
                            position += 3
                            return String(out)
                        }
                    } else if closesString(at: position) {
                        position += 1
                        return String(out)
                    }
                }
                out.append(c)
                position += 1
            }
        }

        private mutating func readEscape(into out: inout String.UnicodeScalarView, raw: Bool) throws {
            position += 1  // the backslash
            guard let c = current else { throw fail("string ends in a backslash") }
            if raw {
                // Raw strings keep the backslash; it only stops the next quote from closing the string.
                out.append("\\")
                out.append(c)
                position += 1
                return
            }
            position += 1
            switch c {
            case "\n": break  // line continuation
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "x": out.append(try readHex(count: 2))
            case "u": out.append(try readHex(count: 4))
            case "U": out.append(try readHex(count: 8))
            case "0"..."7":
                var value = c.value - 48
                var digits = 1
                while digits < 3, let d = current, ("0"..."7").contains(d) {
                    value = value * 8 + d.value - 48
                    position += 1
                    digits += 1
                }
                guard let scalar = Unicode.Scalar(value) else { throw fail("bad octal escape") }
                out.append(scalar)
            default:
                // Python keeps unknown escapes as written.
                out.append("\\")
                out.append(c)
            }
        }

        private mutating func readHex(count: Int) throws -> Unicode.Scalar {
            guard position + count <= characters.count else { throw fail("escape needs \(count) hex digits") }
            let digits = String(String.UnicodeScalarView(characters[position..<(position + count)]))
            guard let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else {
                throw fail("bad escape \\\(digits)")
            }
            position += count
            return scalar
        }
    }
}
