import Testing
@testable import ReviewUI
import ReviewCore

@Suite("Display width")
struct DisplayWidthTests {
    @Test("ASCII 1, CJK and emoji 2, combining marks 0")
    func widths() {
        #expect(DisplayWidth.of("a" as Character) == 1)
        #expect(DisplayWidth.of("中" as Character) == 2)
        #expect(DisplayWidth.of("ｱ" as Character) == 1)  // halfwidth katakana
        #expect(DisplayWidth.of("Ａ" as Character) == 2)  // fullwidth A
        #expect(DisplayWidth.of("한" as Character) == 2)
        #expect(DisplayWidth.of("😢" as Character) == 2)
        // Drawn in pieces every terminal measures alike (DisplayWidth.drawnPieces): three emoji, [JP], the heart alone.
        #expect(DisplayWidth.of("👩‍👩‍👧" as Character) == 6)
        #expect(DisplayWidth.of("🇯🇵" as Character) == 4)
        #expect(DisplayWidth.of("❤️" as Character) == 1)
        #expect(DisplayWidth.of("e\u{301}" as Character) == 1)
        #expect(DisplayWidth.of("\u{301}" as Character) == 0)
        #expect(DisplayWidth.of("\u{200B}" as Character) == 0)
        #expect(DisplayWidth.of("é中😢x") == 6)
    }
}

@Suite("Word wrap")
struct TextWrapTests {
    @Test("wraps at word boundaries")
    func words() {
        #expect(TextWrap.lines("the quick brown fox jumps", width: 10) == ["the quick", "brown fox", "jumps"])
    }

    @Test("hard-breaks words longer than the line")
    func longWord() {
        #expect(TextWrap.lines("abcdefghijkl xy", width: 5) == ["abcde", "fghij", "kl xy"])
    }

    @Test("wide characters wrap by display width, never split")
    func wide() {
        let lines = TextWrap.lines("中文中文中文", width: 5)
        #expect(lines == ["中文", "中文", "中文"])
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 5 })
    }

    @Test("line breaks start new lines; blank lines are kept")
    func paragraphs() {
        #expect(TextWrap.lines("one\n\ntwo three", width: 20) == ["one", "", "two three"])
        #expect(TextWrap.lines("", width: 5) == [""])
        #expect(TextWrap.lines("x", width: 0).isEmpty)
    }

    @Test("truncation adds an ellipsis within the width")
    func truncate() {
        #expect(TextWrap.truncate("abcdef", width: 4) == "abc…")
        #expect(TextWrap.truncate("abc", width: 4) == "abc")
        #expect(DisplayWidth.of(TextWrap.truncate("中文中文", width: 4)) <= 4)
    }
}

@Suite("Sanitising")
struct SanitizerTests {
    @Test("escape sequences and C0 controls become control pictures")
    func controls() {
        #expect(TextSanitizer.visible("a\u{1B}[31mb") == "a␛[31mb")
        #expect(TextSanitizer.visible("\u{07}\u{08}\u{00}") == "␇␈␀")
        #expect(TextSanitizer.visible("x\u{7F}") == "x␡")
    }

    @Test("CRLF becomes a line break, a lone CR is shown, tabs become spaces")
    func lineEnds() {
        #expect(TextSanitizer.visible("a\r\nb") == "a\nb")
        #expect(TextSanitizer.visible("a\rb") == "a␍b")
        #expect(TextSanitizer.visible("a\tb") == "a    b")
    }

    @Test("C1 controls and bidi overrides are replaced")
    func c1AndBidi() {
        #expect(TextSanitizer.visible("a\u{9B}b\u{202E}c") == "a\u{FFFD}b\u{FFFD}c")
    }

    @Test("plain text is unchanged; single lines show breaks as ⏎")
    func plain() {
        #expect(TextSanitizer.visible("héllo 中 😢") == "héllo 中 😢")
        #expect(TextSanitizer.singleLine("a\nb") == "a ⏎ b")
    }
}

@Suite("Grid drawing")
struct CanvasTests {
    @Test("writing over half of a wide character blanks the other half")
    func repairsWide() {
        var grid = Grid(width: 6, height: 1)
        grid.write("中中中", x: 0, y: 0)
        grid.write("x", x: 1, y: 0)
        #expect(grid.lines == [" x中中"])
        grid.write("ab", x: 3, y: 0)
        #expect(grid.lines == [" x ab "])
        #expect(grid.lines.allSatisfy { DisplayWidth.of($0) == 6 })
    }

    @Test("a wide character that does not fit at the clip edge becomes a space")
    func clipEdge() {
        var grid = Grid(width: 5, height: 1)
        grid.write("ab中中", x: 0, y: 0)
        #expect(grid.lines == ["ab中 "])
    }
}
