import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one rule for the mode of every file and folder judge-review writes: owner-only, or group-readable for a
/// shared research group, and never more than the user's umask allows (a clinical-data user's umask 077 keeps even
/// a group-readable study owner-only).
public enum FileModes {
    /// The process's umask, read once without changing it (Linux's /proc/self/status; elsewhere set and put back
    /// before any file is written).
    public static let umask: mode_t = {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
           let value = mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8) {
            return value
        }
        let value = Glibc.umask(0o077)
        _ = Glibc.umask(value)
        return value
    }()

    /// A new file's mode: 0600, or 0640 when group-readable, less what the umask takes away.
    public static func file(groupReadable: Bool = false) -> mode_t {
        (groupReadable ? 0o640 : 0o600) & ~umask
    }

    /// A new folder's mode: 0700, or 0750 when group-readable, less what the umask takes away (the owner keeps rwx).
    public static func folder(groupReadable: Bool = false) -> mode_t {
        ((groupReadable ? 0o750 : 0o700) & ~umask) | 0o700
    }

    /// `requested` less what the umask takes away, for the few files with a mode of their own (the demo's logs).
    public static func masked(_ requested: mode_t) -> mode_t { requested & ~umask }
}
