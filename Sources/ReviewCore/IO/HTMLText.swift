import Foundation

/// Text made safe for HTML: the five characters that could open markup or end an attribute are escaped, and
/// control characters (from input files) are dropped.
public enum HTMLText {
    /// `text` on one line (sanitised), with `& < > " '` escaped, for an element's text or an attribute.
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in TextSanitizer.singleLine(text).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
