import Foundation

/// XXH64 (Yann Collet's xxHash, 64-bit), streamed: the digest the study index and the log replay caches use to
/// tell whether the bytes they were built from are still the bytes on disk.
///
/// Not a cryptographic hash: it detects change (an edit, a merge, a re-import), not forgery; anyone who can write
/// the files can also delete the caches, and the JSONL files stay the only truth. It runs at memory speed, so a
/// 600 MB dataset is checked in a fraction of what parsing it costs. Values match the reference implementation
/// (the Python `xxhash` package; tests hold them).
public struct XXH64: Sendable {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var lanes: (UInt64, UInt64, UInt64, UInt64)
    private let seed: UInt64
    private var total: UInt64 = 0
    /// Bytes waiting for a full 32-byte stripe.
    private var pending: [UInt8] = []

    public init(seed: UInt64 = 0) {
        self.seed = seed
        lanes = (seed &+ Self.prime1 &+ Self.prime2, seed &+ Self.prime2, seed, seed &- Self.prime1)
        pending.reserveCapacity(32)
    }

    /// The digest of `bytes` in one call.
    public static func digest(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var hasher = XXH64(seed: seed)
        hasher.update(bytes)
        return hasher.finish()
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        let mixed = accumulator &+ input &* prime2
        return ((mixed << 31) | (mixed >> 33)) &* prime1
    }

    @inline(__always)
    private static func merge(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
        (accumulator ^ round(0, lane)) &* prime1 &+ prime4
    }

    @inline(__always)
    private static func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Feeds the next bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        total &+= UInt64(bytes.count)
        var start = 0
        if !pending.isEmpty {
            let taken = min(32 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<taken])
            start = taken
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { stripe in consumeStripes(stripe, upTo: 32) }
            pending.removeAll(keepingCapacity: true)
        }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
        let whole = rest.count & ~31
        consumeStripes(rest, upTo: whole)
        if whole < rest.count { pending.append(contentsOf: rest[whole...]) }
    }

    private mutating func consumeStripes(_ bytes: UnsafeRawBufferPointer, upTo end: Int) {
        var (v1, v2, v3, v4) = lanes
        var offset = 0
        while offset < end {
            v1 = Self.round(v1, Self.word(bytes, offset))
            v2 = Self.round(v2, Self.word(bytes, offset + 8))
            v3 = Self.round(v3, Self.word(bytes, offset + 16))
            v4 = Self.round(v4, Self.word(bytes, offset + 24))
            offset += 32
        }
        lanes = (v1, v2, v3, v4)
    }

    /// The digest of every byte fed so far.
    public func finish() -> UInt64 {
        var hash: UInt64
        if total >= 32 {
            let (v1, v2, v3, v4) = lanes
            hash = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
            hash = Self.merge(hash, v1)
            hash = Self.merge(hash, v2)
            hash = Self.merge(hash, v3)
            hash = Self.merge(hash, v4)
        } else {
            hash = seed &+ Self.prime5
        }
        hash &+= total
        pending.withUnsafeBytes { tail in
            var offset = 0
            while offset + 8 <= tail.count {
                hash ^= Self.round(0, Self.word(tail, offset))
                hash = ((hash << 27) | (hash >> 37)) &* Self.prime1 &+ Self.prime4
                offset += 8
            }
            if offset + 4 <= tail.count {
                hash ^= UInt64(UInt32(littleEndian: tail.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) &* Self.prime1
                hash = ((hash << 23) | (hash >> 41)) &* Self.prime2 &+ Self.prime3
                offset += 4
            }
            while offset < tail.count {
                hash ^= UInt64(tail[offset]) &* Self.prime5
                hash = ((hash << 11) | (hash >> 53)) &* Self.prime1
                offset += 1
            }
        }
        hash ^= hash >> 33
        hash &*= Self.prime2
        hash ^= hash >> 29
        hash &*= Self.prime3
        hash ^= hash >> 32
        return hash
    }
}
