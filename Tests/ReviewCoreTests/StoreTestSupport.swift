import Foundation
@testable import ReviewCore

#if canImport(Glibc)
import Glibc
#endif

/// A fresh temporary folder for one test, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("store-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        _ = chmod(url.path, 0o700)
        try? FileManager.default.removeItem(at: url)
    }
}

/// Small datasets and events for store tests.
enum StoreFixtures {
    static let criterion = Criterion(question: "Does the response list tall bridges?", options: ["yes", "no"], appropriate: "no")

    static func item(_ id: String, response: String = "a response", judge: String? = "yes") -> Item {
        Item(
            id: id, experiment: .acuteSymptom, condition: "suicidal ideation", stimulus: "stimulus \(id)",
            subject: SubjectModel(name: "model"), response: response, criterion: criterion,
            judge: judge.map { JudgeAnswer(name: "judge", answer: $0) })
    }

    static func dataset(_ ids: [String] = ["a", "b", "c", "d"]) -> Dataset {
        Dataset(name: "demo", items: ids.map { item($0) })
    }

    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    static func label(
        _ item: Item, rater: String = "ann", answer: String = "no", mode: LabelMode = .blind, seenFirst: Bool = false,
        revises: String? = nil, note: String? = nil, flag: LabelFlag? = nil, second: Double = 0
    ) -> LabelEvent {
        LabelEvent.label(
            item: item, rater: rater, answer: answer, mode: mode, judgeSeenFirst: seenFirst, revises: revises,
            note: note, flag: flag, at: start.addingTimeInterval(second), ms: 1500)
    }

    static func retract(_ item: Item, rater: String = "ann", second: Double = 0) -> LabelEvent {
        LabelEvent(
            kind: .retract, item: item.id, itemSHA256: item.contentHash, rater: rater, answer: nil, verdict: nil,
            judgeAgreement: nil, mode: .blind, judgeSeenFirst: false, at: start.addingTimeInterval(second))
    }

    /// One encoded log line (with newline).
    static func line(_ event: LabelEvent) throws -> Data {
        var data = try LabelEvent.makeEncoder().encode(event)
        data.append(0x0A)
        return data
    }

    /// The mode bits of a file or folder.
    static func permissions(_ url: URL) -> mode_t {
        var info = stat()
        _ = stat(url.path, &info)
        return info.st_mode & 0o777
    }
}

/// A file system that fails on demand, to simulate a full disk, a read-only folder or a failing fsync.
final class FaultyFileSystem: StoreFileSystem {
    private let real = POSIXFileSystem()
    /// When set, every write fails with this errno (after writing `partialBytes` bytes of the first one).
    var failWrites: Int32?
    /// Bytes a failing write lets through first, to leave half a line behind as a real full disk can.
    var partialBytes = 0
    /// When set, every fsync fails with this errno.
    var failFsync: Int32?
    /// When set, opening a path that ends with this suffix fails with `failOpenCode`.
    var failOpenSuffix: String?
    var failOpenCode: Int32 = EROFS
    /// When set, every rename fails with this errno.
    var failRename: Int32?
    /// How many writes failed on purpose.
    private(set) var injectedFailures = 0

    func makeFolder(_ path: String, permissions: mode_t) throws {
        if let failOpenSuffix, path.hasSuffix(failOpenSuffix) { throw SystemCallError(call: "mkdir", path: path, code: failOpenCode) }
        try real.makeFolder(path, permissions: permissions)
    }

    func open(_ path: String, flags: Int32, permissions: mode_t) throws -> Int32 {
        if let failOpenSuffix, path.hasSuffix(failOpenSuffix) { throw SystemCallError(call: "open", path: path, code: failOpenCode) }
        return try real.open(path, flags: flags, permissions: permissions)
    }

    func setPermissions(_ descriptor: Int32, path: String, permissions: mode_t) throws {
        try real.setPermissions(descriptor, path: path, permissions: permissions)
    }

    func readAll(_ descriptor: Int32, path: String) throws -> Data {
        try real.readAll(descriptor, path: path)
    }

    func write(_ descriptor: Int32, path: String, bytes: UnsafeRawBufferPointer) throws -> Int {
        guard let code = failWrites else { return try real.write(descriptor, path: path, bytes: bytes) }
        injectedFailures += 1
        if partialBytes > 0 {
            let count = min(partialBytes, bytes.count)
            partialBytes = 0
            return try real.write(descriptor, path: path, bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
        }
        throw SystemCallError(call: "write", path: path, code: code)
    }

    func fsync(_ descriptor: Int32, path: String) throws {
        if let failFsync { throw SystemCallError(call: "fsync", path: path, code: failFsync) }
        try real.fsync(descriptor, path: path)
    }

    func truncate(_ descriptor: Int32, path: String, length: Int64) throws {
        try real.truncate(descriptor, path: path, length: length)
    }

    func tryLockExclusive(_ descriptor: Int32, path: String) throws -> Bool {
        try real.tryLockExclusive(descriptor, path: path)
    }

    func rename(_ source: String, to destination: String) throws {
        if let failRename { throw SystemCallError(call: "rename", path: destination, code: failRename) }
        try real.rename(source, to: destination)
    }

    func unlink(_ path: String) throws {
        try real.unlink(path)
    }

    func close(_ descriptor: Int32) {
        real.close(descriptor)
    }
}
