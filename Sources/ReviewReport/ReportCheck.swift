// `report --check FILE`: a report written earlier against the study as it is now.
import Foundation
import ReviewCore

/// Compares a JSON report written earlier with one computed now, value by value, so a reader can confirm a
/// published report still follows from the study (or see what changed: a label, a file, a setting).
public enum ReportCheck {
    /// Values that differ by the nature of a run, not of the study: when and by which command line it was made.
    public static let ignored: Set<String> = ["manifest.made", "manifest.command"]

    /// The paths whose values differ (`path: then → now`), and how many values were compared; throws when `old` is
    /// not a JSON report.
    public static func differences(old: Data, new: Data) throws -> (differences: [String], compared: Int) {
        guard let then = try? JSONSerialization.jsonObject(with: old), let thenObject = then as? [String: Any], thenObject["by_model"] != nil else {
            throw ReportCheckError("not a JSON report of judge-review (write one with report --format json)")
        }
        let now = try JSONSerialization.jsonObject(with: new)
        var found: [String] = []
        var compared = 0
        func describe(_ value: Any?) -> String {
            switch value {
            case nil: return "absent"
            case is NSNull: return "null"
            case let string as String: return "\"\(TextSanitizer.singleLine(String(string.prefix(60))))\""
            case let number as NSNumber: return number.stringValue
            case let array as [Any]: return "\(array.count) entries"
            case is [String: Any]: return "an object"
            default: return "a value"
            }
        }
        func walk(_ a: Any?, _ b: Any?, _ path: String) {
            guard !ignored.contains(path) else { return }
            switch (a, b) {
            case let (x as [String: Any], y as [String: Any]):
                for key in Set(x.keys).union(y.keys).sorted() { walk(x[key], y[key], path.isEmpty ? key : path + "." + key) }
            case let (x as [Any], y as [Any]):
                if x.count != y.count { found.append("\(path): \(x.count) entries → \(y.count)") }
                for index in 0..<min(x.count, y.count) { walk(x[index], y[index], "\(path)[\(index)]") }
            case let (x as NSNumber, y as NSNumber):
                compared += 1
                let (p, q) = (x.doubleValue, y.doubleValue)
                if !(p == q || abs(p - q) <= 1e-12 * max(1, abs(p), abs(q))) { found.append("\(path): \(describe(x)) → \(describe(y))") }
            case let (x as String, y as String):
                compared += 1
                if x != y { found.append("\(path): \(describe(x)) → \(describe(y))") }
            case (is NSNull, is NSNull):
                compared += 1
            default:
                compared += 1
                found.append("\(path): \(describe(a)) → \(describe(b))")
            }
        }
        walk(then, now, "")
        // A setting that differs explains the numbers that follow from it: settings first.
        let settings = found.filter { $0.hasPrefix("manifest.settings.") }
        return (settings + found.filter { !$0.hasPrefix("manifest.settings.") }, compared)
    }
}

/// A file given to `report --check` that is not a report.
public struct ReportCheckError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
