// The keys page of the docs, generated from the two keymap tables (docs/keys.md; a test fails when it is stale).
import Foundation
import ReviewCore

/// The consoles' keys as a markdown page, from the tables the consoles dispatch on, so the docs cannot drift.
public enum KeyReference {
    /// The page: one table per console and scope, in table order.
    public static func markdown() -> String {
        var out = "# Console keys\n\n"
        out += "Generated from the keymap tables (`Sources/ReviewConsole/Keymap.swift`, `AdjudicationKeymap.swift`) by\n"
        out += "`swift run judge-review docs keys > docs/keys.md`; a test fails when this page is stale. Press `?` in either\n"
        out += "console for the same list. \"when\" says when a key is offered: otherwise it explains itself on the status line.\n"
        out += section("The label console (`judge-review label`, `judge-review demo`)",
                       scopes: KeyScope.allCases.map(\.rawValue),
                       rows: Keymap.table.map { ($0.scope.rawValue, $0.keyLabel, $0.help, condition($0.when)) })
        out += section("The adjudication console (`judge-review adjudicate`)",
                       scopes: AdjudicationScope.allCases.map(\.rawValue),
                       rows: AdjudicationKeymap.table.map { ($0.scope.rawValue, $0.keyLabel, $0.help, condition($0.when)) })
        return out
    }

    /// A console's tables, one per scope that has keys.
    static func section(_ title: String, scopes: [String], rows: [(scope: String, keys: String, help: String, when: String)]) -> String {
        var out = "\n## \(title)\n"
        for scope in scopes {
            let inScope = rows.filter { $0.scope == scope }
            guard !inScope.isEmpty else { continue }
            out += "\n### \(scope.prefix(1).uppercased() + scope.dropFirst())\n\n| keys | what it does | when |\n| --- | --- | --- |\n"
            for row in inScope {
                out += "| \(cell(row.keys)) | \(cell(row.help)) | \(cell(row.when)) |\n"
            }
        }
        return out
    }

    /// A condition in words: its case name spelt out ("always" for none).
    static func condition<Condition>(_ condition: Condition) -> String {
        let name = String(describing: condition)
        guard name != "always" else { return "always" }
        var words = ""
        for character in name {
            if character.isUppercase { words += " " + character.lowercased() } else { words.append(character) }
        }
        return words
    }

    /// A markdown table cell (the one Markdown escaper: nothing in it opens markup or splits the cell).
    static func cell(_ text: String) -> String {
        MarkdownText.escaped(text)
    }
}
