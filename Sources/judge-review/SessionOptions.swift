import ArgumentParser
import Foundation
import ReviewCore
import ReviewUI

/// The session protocol's options of `label`, `demo` and `adjudicate`: each overrides the study's `study.json` for
/// this session.
struct SessionOptions: ParsableArguments {
    @Option(help: "Content notice before items of acute-risk conditions: off, session (once) or item (every one). Default: the study's, else session.")
    var contentNotice: SessionProtocol.ContentNotice?

    @Option(parsing: .unconditional, help: "Break prompt after this many minutes at the keyboard (0: none). Default: the study's, else 45.")
    var breakAfterMinutes: Int?

    @Option(parsing: .unconditional, help: "Break prompt after this many items (0: none). Default: the study's, else 100.")
    var breakAfterItems: Int?

    @Option(parsing: .unconditional, help: "Ask before going on past this many items done today (0: no cap). Default: the study's, else 300.")
    var dailyCap: Int?

    /// The study's protocol (or the defaults) with this session's options applied; a value out of range is an error.
    func resolve(_ base: SessionProtocol) throws -> SessionProtocol {
        var rules = base
        if let contentNotice { rules.contentNotice = contentNotice }
        func checked(_ value: Int?, _ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let value else { return nil }
            guard range.contains(value) else { throw UsageError(option: "--\(name)", "must lie in \(range.lowerBound)...\(range.upperBound), not \(value)") }
            return value
        }
        if let value = try checked(breakAfterMinutes, "break-after-minutes", SessionProtocol.minutesRange) { rules.breakAfterMinutes = value }
        if let value = try checked(breakAfterItems, "break-after-items", SessionProtocol.itemsRange) { rules.breakAfterItems = value }
        if let value = try checked(dailyCap, "daily-cap", SessionProtocol.itemsRange) { rules.dailyCap = value }
        return rules
    }
}

extension SessionProtocol.ContentNotice: ExpressibleByArgument {}

extension ReviewMode: ExpressibleByArgument {}
extension OrderSettings.Kind: ExpressibleByArgument {}
