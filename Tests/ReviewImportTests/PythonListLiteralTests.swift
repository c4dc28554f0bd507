import Testing
@testable import ReviewImport

@Suite("Python-style list literals")
struct PythonListLiteralTests {
    @Test("both quote styles and escapes read as Python would")
    func quoteStylesAndEscapes() throws {
        let strings = try PythonListLiteral.parseStrings(Fixtures.pythonTurns)
        #expect(strings == ["I'm fine.", "That's good \"really\"\\.", "Am I a ghost?\nTell me."])
    }

    @Test("hex, unicode, octal escapes, raw strings and a trailing comma")
    func moreEscapes() throws {
        let strings = try PythonListLiteral.parseStrings(#"[ 'caf\xe9 \u00e9 \101' , r'raw\n', u"x\ty", ]"#)
        #expect(strings == ["café é A", "raw\\n", "x\ty"])
        #expect(try PythonListLiteral.parseStrings("[]") == [])
    }

    @Test("an unescaped apostrophe inside single quotes is kept, as in the released live-bot file")
    func unescapedApostrophe() throws {
        let strings = try PythonListLiteral.parseStrings("['It's late, isn't it?',  'Yes it's late.', 'Now what?']")
        #expect(strings == ["It's late, isn't it?", "Yes it's late.", "Now what?"])
    }

    @Test("malformed lists are errors with a position", arguments: [
        "['never closed", "[1, 2]", "['a', 'b'", "['a'] trailing", "['bad \\x4']",
    ])
    func malformed(text: String) {
        #expect(throws: PythonListLiteral.ParseError.self) { try PythonListLiteral.parseStrings(text) }
    }

    @Test("a chat as Python prints it: dicts of role and content, apostrophes in double quotes and left unescaped in single")
    func messages() throws {
        let text = #"[{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': "Don't stop.\n- (A): yes"}, {'role': 'user', 'content': 'It's late, isn't it?'},]"#
        let messages = try PythonListLiteral.parseMessages(text)
        #expect(messages == [["role": "system", "content": "Be brief."], ["role": "user", "content": "Don't stop.\n- (A): yes"],
                             ["role": "user", "content": "It's late, isn't it?"]])
        #expect(throws: PythonListLiteral.ParseError.self) { try PythonListLiteral.parseMessages("[{'role': 'user', 'content': 3}]") }
    }

    @Test("only bracketed text is taken for a list")
    func looksLikeList() {
        #expect(PythonListLiteral.looksLikeList("  ['a'] "))
        #expect(!PythonListLiteral.looksLikeList("[sic] he said"))
    }
}
