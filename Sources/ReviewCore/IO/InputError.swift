import Foundation

/// A problem with an input file, reported as one line naming the file and, where known, the line.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file's path as the user gave it.
    public var file: String
    /// 1-based line number, when the problem is on one line.
    public var line: Int?
    /// What was wrong and what was expected.
    public var message: String

    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, the form compilers use, so editors can jump to it.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// An option value a command cannot take (out of range, not one of its choices, not fitting the study): one line
/// naming the option; the command line maps it to the usage exit status.
public struct UsageError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The option, e.g. `--transport-from`.
    public var option: String
    public var message: String

    /// An error about `option`'s value.
    public init(option: String, _ message: String) {
        self.option = option
        self.message = message
    }

    public var description: String { "\(option): \(message)" }
}
