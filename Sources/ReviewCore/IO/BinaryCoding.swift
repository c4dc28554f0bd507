import Foundation
import ReviewStatistics

/// Builds the little-endian binary files the study index and the log replay caches are made of.
///
/// Every cache file is `magic`, the fields, and the XXH64 of everything before it as its last eight bytes: a file
/// cut short, damaged or from another format fails `BinaryReader.checked` and is rebuilt, never half-trusted.
public struct BinaryWriter {
    /// The bytes so far.
    public private(set) var bytes: [UInt8] = []

    public init(magic: String, capacity: Int = 1 << 16) {
        bytes.reserveCapacity(capacity)
        bytes.append(contentsOf: Array(magic.utf8))
    }

    public mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    public mutating func raw(_ value: some Collection<UInt8>) { bytes.append(contentsOf: value) }

    /// The file's bytes: everything written, then its checksum.
    public func finished() -> Data {
        var data = Data(bytes)
        let checksum = bytes.withUnsafeBytes { XXH64.digest($0) }
        withUnsafeBytes(of: checksum.littleEndian) { data.append(contentsOf: $0) }
        return data
    }
}

/// Reads what `BinaryWriter` wrote, every read bounds-checked: a damaged file is an error, never a crash.
public struct BinaryReader {
    /// A cache file that cannot be used: wrong magic, bad checksum, cut short or out of range.
    public struct Damaged: Error, CustomStringConvertible {
        public var description: String
    }

    private let bytes: UnsafeRawBufferPointer
    /// The next byte to read.
    public private(set) var offset: Int

    /// A reader of `bytes` after checking its magic and its final checksum (which it then leaves unread).
    public static func checked(_ bytes: UnsafeRawBufferPointer, magic: String) throws -> BinaryReader {
        let magicBytes = Array(magic.utf8)
        guard bytes.count >= magicBytes.count + 8, Array(bytes[0..<magicBytes.count]) == magicBytes else {
            throw Damaged(description: "not a file of this format")
        }
        let body = UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 8)])
        let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
        guard XXH64.digest(body) == stored else { throw Damaged(description: "checksum does not match") }
        return BinaryReader(bytes: body, offset: magicBytes.count)
    }

    /// A reader of a file's first bytes after checking its magic only: a peek at a header (`checked` reads the
    /// file whole before anything in it is trusted).
    public static func header(_ bytes: UnsafeRawBufferPointer, magic: String) throws -> BinaryReader {
        let magicBytes = Array(magic.utf8)
        guard bytes.count >= magicBytes.count, Array(bytes[0..<magicBytes.count]) == magicBytes else {
            throw Damaged(description: "not a file of this format")
        }
        return BinaryReader(bytes: bytes, offset: magicBytes.count)
    }

    private init(bytes: UnsafeRawBufferPointer, offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    @inline(__always)
    private mutating func take(_ count: Int) throws -> Int {
        guard count >= 0, count <= bytes.count - offset else { throw Damaged(description: "cut short at byte \(offset)") }
        defer { offset += count }
        return offset
    }

    public mutating func u32() throws -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4), as: UInt32.self))
    }

    public mutating func u64() throws -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self))
    }


    /// A count that the rest of the file must have room for at `bytesEach` bytes each (so a damaged count cannot
    /// ask for unbounded memory).
    public mutating func count(bytesEach: Int) throws -> Int {
        let value = Int(try u64())
        guard value >= 0, value <= (bytes.count - offset) / max(bytesEach, 1) else {
            throw Damaged(description: "a count of \(value) does not fit the file")
        }
        return value
    }

    /// The next `count` bytes, in place.
    public mutating func raw(_ count: Int) throws -> UnsafeRawBufferPointer {
        let start = try take(count)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)])
    }

    /// Whether every byte before the checksum was read (a file with bytes left over is not of this format).
    public func finish() throws {
        guard offset == bytes.count else { throw Damaged(description: "\(bytes.count - offset) bytes left over") }
    }
}

/// Strings written once each and referred to by number: the shared texts of the study index and the replay
/// caches (conditions, models, answers, ids). Reference 0 is nil; string `k` is `k + 1`.
public struct BinaryStringTable {
    private var numbers: [String: UInt32] = [:]
    private var strings: [String] = []

    public init() {}

    /// The reference of `string` (nil: 0), adding it the first time.
    public mutating func reference(_ string: String?) -> UInt32 {
        guard let string else { return 0 }
        if let number = numbers[string] { return number }
        strings.append(string)
        let number = UInt32(strings.count)
        numbers[string] = number
        return number
    }

    /// Writes the table: a count, each string's end offset, then the bytes of all of them.
    public func write(to writer: inout BinaryWriter) {
        Self.write(strings, to: &writer)
    }

    /// Writes `strings` in the table's layout (for strings known to be distinct, such as ids: no dictionary).
    public static func write(_ strings: [String], to writer: inout BinaryWriter) {
        writer.u64(UInt64(strings.count))
        var end: UInt64 = 0
        for string in strings {
            end += UInt64(string.utf8.count)
            writer.u64(end)
        }
        for string in strings { writer.raw(string.utf8) }
    }

    /// Reads a table `write` wrote: the strings in reference order (index `k - 1` for reference `k`), made on
    /// the machine's cores.
    public static func read(from reader: inout BinaryReader) throws -> [String] {
        let count = try reader.count(bytesEach: 8)
        let ends = try reader.raw(count * 8)
        let endOffsets = (0..<count).map { Int(UInt64(littleEndian: ends.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        let total = endOffsets.last ?? 0
        let text = try reader.raw(total)
        var previous = 0
        for end in endOffsets {
            guard end >= previous, end <= total else { throw BinaryReader.Damaged(description: "string table out of order") }
            previous = end
        }
        let shared = SharedBytes(bytes: text)
        let parts = ParallelWork.parts(for: count, minimum: 50_000)
        return ParallelWork.map(parts: parts) { part -> [String] in
            let range = (count * part / parts)..<(count * (part + 1) / parts)
            return range.map { index in
                let start = index == 0 ? 0 : endOffsets[index - 1]
                return String(decoding: UnsafeRawBufferPointer(rebasing: shared.bytes[start..<endOffsets[index]]), as: UTF8.self)
            }
        }.flatMap { $0 }
    }

    /// The string a reference names in a table `read` returned (0: nil); a reference out of range is damage.
    @inline(__always)
    public static func string(_ reference: UInt32, in strings: [String]) throws -> String? {
        guard reference != 0 else { return nil }
        guard Int(reference) <= strings.count else { throw BinaryReader.Damaged(description: "string reference out of range") }
        return strings[Int(reference) - 1]
    }

    /// The string a reference names, which must not be nil.
    @inline(__always)
    public static func required(_ reference: UInt32, in strings: [String]) throws -> String {
        guard let string = try string(reference, in: strings) else { throw BinaryReader.Damaged(description: "missing string") }
        return string
    }
}
