import Foundation

/// Reads one JSON text byte by byte, for the tool's own record formats (dataset items, label events) at a million
/// lines, where Foundation's JSONDecoder costs several microseconds an object.
///
/// It is strict and declines rather than guesses: anything it does not handle exactly as JSONDecoder would (an
/// unknown or escaped key, a number with a fraction or exponent, a lone surrogate, invalid UTF-8, bytes after the
/// value) throws `JSONCursor.Declined`, and the caller decodes that line with JSONDecoder instead, which gives the
/// same value or the error message a person reads. So the fast path never changes what a file means.
struct JSONCursor {
    /// The line is left to JSONDecoder.
    struct Declined: Error {}

    private let base: UnsafePointer<UInt8>
    private let end: Int
    private var position = 0
    /// Reused for strings with escapes.
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeRawBufferPointer) throws {
        guard let start = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw Declined() }
        base = start
        end = bytes.count
    }

    // MARK: Structure

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < end {
            let byte = base[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    @inline(__always)
    private mutating func consume(_ byte: UInt8) throws {
        skipWhitespace()
        guard position < end, base[position] == byte else { throw Declined() }
        position += 1
    }

    /// Whether the next value is `null` (consumed when it is).
    mutating func consumeNull() throws -> Bool {
        skipWhitespace()
        guard position < end, base[position] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard end - position >= count, memcmp(base + position, word.utf8Start, count) == 0 else { throw Declined() }
        position += count
    }

    /// Calls `body` with each key of an object, the cursor on its value; `body` must read or skip that value.
    /// Keys come as raw bytes: a key with an escape in it is declined (the tool never writes one).
    mutating func forEachMember(_ body: (inout JSONCursor, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try consume(UInt8(ascii: "{"))
        skipWhitespace()
        if position < end, base[position] == UInt8(ascii: "}") { position += 1; return }
        while true {
            try consume(UInt8(ascii: "\""))
            let start = position
            while position < end, base[position] != UInt8(ascii: "\"") {
                guard base[position] != UInt8(ascii: "\\"), base[position] >= 0x20 else { throw Declined() }
                position += 1
            }
            guard position < end else { throw Declined() }
            let key = UnsafeBufferPointer(start: base + start, count: position - start)
            position += 1
            try consume(UInt8(ascii: ":"))
            try body(&self, key)
            skipWhitespace()
            guard position < end else { throw Declined() }
            if base[position] == UInt8(ascii: ",") { position += 1; continue }
            if base[position] == UInt8(ascii: "}") { position += 1; return }
            throw Declined()
        }
    }

    /// Calls `body` for each element of an array, the cursor on it.
    mutating func forEachElement(_ body: (inout JSONCursor) throws -> Void) throws {
        try consume(UInt8(ascii: "["))
        skipWhitespace()
        if position < end, base[position] == UInt8(ascii: "]") { position += 1; return }
        while true {
            try body(&self)
            skipWhitespace()
            guard position < end else { throw Declined() }
            if base[position] == UInt8(ascii: ",") { position += 1; continue }
            if base[position] == UInt8(ascii: "]") { position += 1; return }
            throw Declined()
        }
    }

    /// Declines unless only whitespace is left.
    func finish() throws {
        var copy = self
        copy.skipWhitespace()
        guard copy.position == end else { throw Declined() }
    }

    // MARK: Values

    /// A string value, unescaped; `interner` (when given) returns one shared copy of texts met before.
    mutating func string(interning interner: StringInterner? = nil) throws -> String {
        try consume(UInt8(ascii: "\""))
        let start = position
        var highBits: UInt8 = 0
        while position < end {
            let byte = base[position]
            highBits |= byte
            if byte == UInt8(ascii: "\"") {
                let bytes = UnsafeBufferPointer(start: base + start, count: position - start)
                position += 1
                return try Self.makeString(bytes, interner, isASCII: highBits < 0x80)
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start, interner) }
            guard byte >= 0x20 else { throw Declined() }
            position += 1
        }
        throw Declined()
    }

    /// A string value, or nil for `null`.
    mutating func optionalString(interning interner: StringInterner? = nil) throws -> String? {
        try consumeNull() ? nil : try string(interning: interner)
    }

    private static func makeString(
        _ bytes: UnsafeBufferPointer<UInt8>, _ interner: StringInterner?, isASCII: Bool = false
    ) throws -> String {
        if let interner { return try interner.string(for: bytes, isASCII: isASCII) }
        return try makeString(bytes, isASCII: isASCII)
    }

    /// A String of these bytes; invalid UTF-8 is declined, never repaired.
    static func makeString(_ bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool) throws -> String {
        // ASCII is valid UTF-8, and String(decoding:) takes its fast path; String(validating:) has none.
        if isASCII { return String(decoding: bytes, as: UTF8.self) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Declined() }
        return text
    }

    private mutating func escapedString(from start: Int, _ interner: StringInterner?) throws -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: position - start))
        while position < end {
            let byte = base[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return try scratch.withUnsafeBufferPointer { try Self.makeString($0, interner) }
            case UInt8(ascii: "\\"):
                guard position < end else { throw Declined() }
                let escape = base[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hexQuad()
                    if (0xD800...0xDBFF).contains(scalar) {
                        // A high surrogate must be followed by an escaped low one; anything else is declined.
                        try literal("\\u")
                        let low = try hexQuad()
                        guard (0xDC00...0xDFFF).contains(low) else { throw Declined() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw Declined()
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw Declined() }
                    scratch.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw Declined()
                }
            default:
                guard byte >= 0x20 else { throw Declined() }
                scratch.append(byte)
            }
        }
        throw Declined()
    }

    private mutating func hexQuad() throws -> UInt32 {
        guard end - position >= 4 else { throw Declined() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = base[position]
            position += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Declined()
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// An integer written as digits (with an optional minus); fractions, exponents and overflow are declined.
    mutating func int() throws -> Int {
        skipWhitespace()
        var negative = false
        if position < end, base[position] == UInt8(ascii: "-") { negative = true; position += 1 }
        let start = position
        var value = 0
        while position < end, base[position] >= UInt8(ascii: "0"), base[position] <= UInt8(ascii: "9") {
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(Int(base[position] - UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { throw Declined() }
            value = sum
            position += 1
        }
        let digits = position - start
        guard digits > 0, !(digits > 1 && base[start] == UInt8(ascii: "0")) else { throw Declined() }
        if position < end, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(base[position]) {
            throw Declined()
        }
        return negative ? -value : value
    }

    /// An integer, or nil for `null`.
    mutating func optionalInt() throws -> Int? {
        try consumeNull() ? nil : try int()
    }

    mutating func bool() throws -> Bool {
        skipWhitespace()
        guard position < end else { throw Declined() }
        if base[position] == UInt8(ascii: "t") { try literal("true"); return true }
        try literal("false")
        return false
    }

    /// A boolean, or nil for `null`.
    mutating func optionalBool() throws -> Bool? {
        try consumeNull() ? nil : try bool()
    }

    /// A string that must be one of an enumeration's raw values.
    mutating func value<Value: RawRepresentable>(
        of type: Value.Type, interning interner: StringInterner? = nil
    ) throws -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: try string(interning: interner)) else { throw Declined() }
        return value
    }

    /// An enumeration value, or nil for `null`.
    mutating func optionalValue<Value: RawRepresentable>(
        of type: Value.Type, interning interner: StringInterner? = nil
    ) throws -> Value? where Value.RawValue == String {
        try consumeNull() ? nil : try value(of: type, interning: interner)
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether these bytes spell `word` (a key comparison without making a String).
    @inline(__always)
    func spells(_ word: StaticString) -> Bool {
        guard count == word.utf8CodeUnitCount else { return false }
        guard let baseAddress, count > 0 else { return true }
        return memcmp(baseAddress, word.utf8Start, count) == 0
    }
}

/// One shared String for each text met again: a million items repeat a few hundred stimuli, questions and
/// option lists, and reading each as its own String would cost an allocation and its memory every time.
///
/// Bounded: after `capacity` distinct texts it stops remembering new ones (they are still read, just not
/// shared), so a column of unique texts costs no more than reading it plainly.
final class StringInterner {
    private var slots: [(hash: UInt64, text: String)?]
    private var stored = 0
    private let capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        slots = Array(repeating: nil, count: 1 << 10)
    }

    /// The string these UTF-8 bytes spell; declines invalid UTF-8.
    func string(for bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool = false) throws -> String {
        let hash = StableHash.fnv1a(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while let entry = slots[slot] {
            if entry.hash == hash, Self.equal(entry.text, bytes) { return entry.text }
            slot = (slot + 1) & mask
        }
        let text = try JSONCursor.makeString(bytes, isASCII: isASCII)
        guard stored < capacity else { return text }
        slots[slot] = (hash, text)
        stored += 1
        if stored * 2 > slots.count { grow() }
        return text
    }

    private static func equal(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { stored in
            guard stored.count == bytes.count else { return false }
            guard let left = stored.baseAddress, let right = bytes.baseAddress, !bytes.isEmpty else { return true }
            return memcmp(left, right, bytes.count) == 0
        }
    }

    private func grow() {
        let old = slots
        slots = Array(repeating: nil, count: old.count * 2)
        let mask = slots.count - 1
        for case let entry? in old {
            var slot = Int(truncatingIfNeeded: entry.hash) & mask
            while slots[slot] != nil { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }
}
