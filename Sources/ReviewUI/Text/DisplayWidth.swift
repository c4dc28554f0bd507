/// How many terminal columns text takes: our own table, so every machine measures the same.
///
/// East Asian wide and fullwidth characters and emoji take 2; combining marks, zero-width characters
/// and variation selectors take 0; everything else takes 1.
public enum DisplayWidth {
    /// Ranges of scalars that take two columns (East Asian Wide/Fullwidth and emoji presentation).
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF,
        0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF,
        0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// Whether a scalar takes no column of its own (combining marks, joiners, variation selectors, format
    /// characters; C1 controls too, so that the grid never holds one even if unsanitised text reaches it).
    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x80...0x9F, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F, 0xFE00...0xFE0F, 0xFEFF, 0xE0100...0xE01EF:
            return true
        default:
            break
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return true
        default: return false
        }
    }

    /// Whether a scalar takes two columns.
    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        guard value >= 0x1100 else { return false }
        var low = 0
        var high = wideRanges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = wideRanges[middle]
            if value < range.lowerBound { high = middle - 1 } else if value > range.upperBound { low = middle + 1 } else { return true }
        }
        return false
    }

    /// How a grapheme cluster that terminals draw at different widths is drawn instead: as pieces every terminal
    /// measures alike; nil for a cluster drawn as it is.
    ///
    /// Emoji ZWJ sequences (a family: 7 code points, 2 cells here, 2 to 8 in a terminal), skin-tone modifiers,
    /// variation selectors, tag sequences and keycaps are where terminals and fonts disagree, and a cluster drawn
    /// wider than the grid thinks overwrites a border and leaves residue the cell diff never clears. Such a
    /// cluster is drawn as its base emoji side by side (joiners, modifiers and selectors left out); a flag (two
    /// regional indicators) as its letters in brackets, `[FR]`.
    public static func drawnPieces(of character: Character) -> [Character]? {
        let scalars = character.unicodeScalars
        guard scalars.count > 1 else { return nil }
        func isRegionalIndicator(_ scalar: Unicode.Scalar) -> Bool { (0x1F1E6...0x1F1FF).contains(scalar.value) }
        func isEmojiGlue(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x200D, 0xFE0E, 0xFE0F, 0x1F3FB...0x1F3FF, 0xE0020...0xE007F, 0x20E3: return true
            default: return false
            }
        }
        let regional = scalars.contains(where: isRegionalIndicator)
        guard regional || scalars.contains(where: isEmojiGlue) else { return nil }
        var pieces: [Character] = []
        if regional { pieces.append("[") }
        for scalar in scalars where !isEmojiGlue(scalar) {
            if isRegionalIndicator(scalar), let letter = Unicode.Scalar(scalar.value - 0x1F1E6 + 0x41) {
                pieces.append(Character(letter))
            } else {
                pieces.append(Character(scalar))
            }
        }
        if regional { pieces.append("]") }
        return pieces
    }

    /// Columns one grapheme cluster takes: 0, 1 or 2, or the sum of its pieces' when it is drawn in pieces
    /// (`drawnPieces`).
    public static func of(_ character: Character) -> Int {
        if let ascii = character.asciiValue { return ascii < 0x20 || ascii == 0x7F ? 0 : 1 }
        if let pieces = drawnPieces(of: character) { return pieces.reduce(0) { $0 + of($1) } }
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        // An emoji presentation selector or a flag (two regional indicators) makes the cluster wide.
        if scalars.contains(where: { $0.value == 0xFE0F }) && first.properties.isEmoji { return 2 }
        if (0x1F1E6...0x1F1FF).contains(first.value) { return scalars.count >= 2 ? 2 : 1 }
        var width = 0
        for scalar in scalars {
            if isZeroWidth(scalar) { continue }
            width = max(width, isWide(scalar) ? 2 : 1)
            if width == 2 { break }
        }
        return width
    }

    /// Columns a string takes.
    public static func of(_ text: some StringProtocol) -> Int {
        var total = 0
        for character in text { total += of(character) }
        return total
    }
}
