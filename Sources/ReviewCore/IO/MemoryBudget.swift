import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A check, before a large input is read, that the process may use the memory reading it takes: under a limit
/// (`ulimit -v`, a container's) an allocation that fails ends a Swift process at once, so the command says so
/// first, in one line, instead of crashing halfway.
///
/// The figures are measured (docs/limits.md): a process takes about 150 MB of address space
/// before it reads anything; `import` about 16 bytes per byte of CSV or JSONL read; commands that read a study
/// about 6 bytes per byte of `items.jsonl`. The check errs on the generous side: it refuses only what would not fit.
public enum MemoryBudget {
    /// Address space a command takes before it reads its inputs.
    public static let baselineBytes: UInt64 = 150 << 20

    /// Address space per byte of input an import takes (strings, parsed rows, items, the dataset written).
    public static let importFactor = 16.0

    /// Address space per byte of a study's `items.jsonl` a command that reads the study takes.
    public static let studyFactor = 6.0

    /// The process's address-space limit (RLIMIT_AS, else RLIMIT_DATA), nil when there is none.
    public static var limit: UInt64? {
        var smallest: UInt64?
        for resource in [RLIMIT_AS, RLIMIT_DATA] {
            var value = rlimit()
            guard getrlimit(__rlimit_resource_t(resource.rawValue), &value) == 0, value.rlim_cur != rlim_t.max else { continue }
            smallest = min(smallest ?? .max, UInt64(value.rlim_cur))
        }
        return smallest
    }

    /// Throws an `InputError` naming `file` when reading `bytes` of it at `factor` bytes a byte would pass the limit.
    public static func check(bytes: Int, factor: Double, file: String, limit: UInt64? = MemoryBudget.limit) throws {
        guard let limit else { return }
        let needed = baselineBytes + UInt64(Double(max(0, bytes)) * factor)
        guard needed > limit else { return }
        throw InputError(
            file: file,
            "reading \(megabytes(UInt64(bytes))) of input needs about \(megabytes(needed)) of memory; this process may use at most \(megabytes(limit)) (ulimit -v); raise the limit or split the input")
    }

    static func megabytes(_ bytes: UInt64) -> String { "\(max(1, bytes >> 20)) MB" }
}
