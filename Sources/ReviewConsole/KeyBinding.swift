import Foundation
import ReviewCore

/// Which keys a binding listens to.
public enum KeySet: Sendable, Hashable {
    case fixed([Key])
    /// One key per criterion option, assigned by `Keymap.optionKeys(for:)` (the one rule of both consoles).
    case criterionOptions
    /// Any printable character (typed into a line editor).
    case printable
    /// Any key at all (e.g. to close a help box).
    case any
}

/// When a binding is valid in a console's state (shown in the key bar, acted on without a complaint).
public protocol BindingCondition: Sendable, Hashable {
    /// The state the condition reads.
    associatedtype State
    /// Whether the condition holds in `state`.
    func holds(in state: State) -> Bool
}

/// One row of a console's keymap table: an action, its keys, a short label for the key bar and help text.
///
/// The one table type of both consoles; each console's table is a list of these, and its key bar, help and key
/// dispatch are built from that list.
public struct KeyBinding<Action: Hashable & Sendable, Scope: Hashable & Sendable, Condition: BindingCondition>: Sendable, Hashable {
    /// The action the keys trigger (an option action carries the option at dispatch).
    public var action: Action
    /// The keys it listens to.
    public var keys: KeySet
    /// How the keys are written on screen, e.g. `h ←`.
    public var keyLabel: String
    /// One or two words for the key bar.
    public var label: String
    /// A sentence for the help overlay.
    public var help: String
    /// Where the binding applies.
    public var scope: Scope
    /// When the binding is valid.
    public var when: Condition
    /// Whether the key bar lists it (some bindings only appear in the help).
    public var inKeyBar: Bool

    /// A row of a table.
    public init(action: Action, keys: KeySet, keyLabel: String, label: String, help: String, scope: Scope, when: Condition, inKeyBar: Bool) {
        self.action = action
        self.keys = keys
        self.keyLabel = keyLabel
        self.label = label
        self.help = help
        self.scope = scope
        self.when = when
        self.inKeyBar = inKeyBar
    }

    /// Whether `key` is one of this binding's fixed keys (or the binding takes any key).
    public func listens(to key: Key) -> Bool {
        switch keys {
        case .fixed(let keys): keys.contains(key)
        case .any: true
        case .criterionOptions, .printable: false
        }
    }

    /// The first binding of `scope` in `table` that listens to `key`: the dispatch rule of both consoles.
    public static func first(in table: [Self], listeningTo key: Key, scope: Scope) -> Self? {
        table.first { $0.scope == scope && $0.listens(to: key) }
    }

    /// The bindings of `scope` valid in `state`, in table order.
    public static func valid(in table: [Self], scope: Scope, state: Condition.State) -> [Self] {
        table.filter { $0.scope == scope && $0.when.holds(in: state) }
    }
}
