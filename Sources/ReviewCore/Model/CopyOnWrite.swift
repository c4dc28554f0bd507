import Foundation

/// The fields of a value type kept in one class instance (`Item`, `LabelEvent`), shared by copies until one of
/// them is written: the one copy-on-write rule both follow.
protocol CopiedOnWrite: AnyObject {
    /// A new instance with the same fields.
    func copy() -> Self
}

extension CopiedOnWrite {
    /// `storage` made this value's own (copied first when another value shares it), ready to be written.
    static func owned(_ storage: inout Self) -> Self {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }
}
