import Foundation

/// Text from input files made safe for Markdown: nothing in it can open raw HTML, a link, an image, emphasis,
/// code, a heading or a new table cell when the report is rendered (pandoc, a static site, an IDE preview, a
/// notebook). Control characters go as for any output, line breaks become spaces.
public enum MarkdownText {
    /// `text` for a table cell, a heading or a list item: `<`, `>` and `&` as HTML entities (raw HTML cannot
    /// start), Markdown's punctuation backslash-escaped, `|` escaped so the cell does not split.
    public static func escaped(_ text: String) -> String {
        // Markdown's punctuation first, then the HTML escaper (whose entities must keep their `&` and `#`).
        var punctuationEscaped = ""
        punctuationEscaped.reserveCapacity(text.utf8.count)
        for scalar in TextSanitizer.singleLine(text).unicodeScalars {
            if "\\`*_[](){}#+!|~$".unicodeScalars.contains(scalar) { punctuationEscaped += "\\" }
            punctuationEscaped.unicodeScalars.append(scalar)
        }
        return HTMLText.escaped(punctuationEscaped)
    }
}
