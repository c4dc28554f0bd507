import Foundation

/// FNV-1a over bytes: a 64-bit hash that never changes between runs, machines or toolchains (Swift's `hashValue`
/// does), for seeds derived from ids and for hash tables keyed by bytes.
public enum StableHash {
    /// The FNV-1a hash of `bytes`.
    @inlinable
    public static func fnv1a<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
