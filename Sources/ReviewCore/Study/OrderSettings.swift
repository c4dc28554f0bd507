import Foundation

/// A rater's item order, remembered in `<folder>/<rater>.order.json` so reopening gives the same order.
///
/// File fields: `order` (`"file"` or `"shuffled"`), `seed` (unsigned integer, present when shuffled).
public struct OrderSettings: Codable, Equatable, Sendable {
    /// `file` or `shuffled`.
    public var order: String
    /// The seed of a shuffled order.
    public var seed: UInt64?

    /// Settings of `order` with `seed`.
    public init(order: String, seed: UInt64?) {
        self.order = order
        self.seed = seed
    }

    /// The orders a rater can ask for (`--order`).
    public enum Kind: String, Sendable, CaseIterable {
        /// The dataset's order.
        case file
        /// A seeded shuffle, per rater.
        case shuffled
    }

    /// File order.
    public static let file = OrderSettings(order: "file", seed: nil)

    /// The ending of every order settings file: `<rater>.order.json`.
    public static let fileSuffix = StudyLayout.orderFileSuffix

    /// The settings file of a rater.
    public static func url(folder: URL, rater: String) -> URL {
        StudyLayout.orderFile(folder: folder, rater: rater)
    }

    /// The stored settings, nil when there are none; a malformed file is a one-line error naming it.
    public static func load(from url: URL) throws -> OrderSettings? {
        guard SafeFile.exists(url.path) else { return nil }
        let data = try SafeFile.read(url.path)
        do {
            let settings = try JSONDecoder().decode(OrderSettings.self, from: data)
            guard settings.order == "file" || (settings.order == "shuffled" && settings.seed != nil) else {
                throw InputError(file: url.path, line: 1, "expected {\"order\": \"file\"} or {\"order\": \"shuffled\", \"seed\": N}")
            }
            return settings
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(file: url.path, line: 1, "not an order settings file: \(JSONLines.describe(error))")
        }
    }

    /// What to use this session: the options given, else the stored settings, else file order.
    /// `--seed` alone implies `--order shuffled`; `--order shuffled` without a seed reuses the stored
    /// seed or draws a new one.
    public static func resolve(order: Kind?, seed: UInt64?, stored: OrderSettings?, randomSeed: () -> UInt64) throws -> OrderSettings {
        switch order {
        case .file?:
            if seed != nil { throw UsageError(option: "--seed", "only applies to --order shuffled") }
            return .file
        case .shuffled?:
            return OrderSettings(order: Kind.shuffled.rawValue, seed: seed ?? stored?.seed ?? randomSeed())
        case nil:
            if let seed { return OrderSettings(order: Kind.shuffled.rawValue, seed: seed) }
            return stored ?? .file
        }
    }

    /// Writes the settings atomically.
    public func write(to url: URL, groupReadable: Bool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try AtomicFile.write(data, to: url, permissions: FileModes.file(groupReadable: groupReadable))
    }

    /// How the order reads in the exit summary.
    public var summary: String {
        if let seed, order == "shuffled" { return "order shuffled, seed \(seed)" }
        return "file order"
    }
}
