import Foundation
import ReviewStatistics

/// What reading a log file's bytes found: the good records, and a torn last line to set aside.
public struct LogScan<Record> {
    /// The decodable records, oldest first.
    public var records: [Record] = []
    /// Byte offset where a torn last line starts (the log is truncated back to it); nil when none.
    var tornStart: Int?
    /// 1-based line number of the torn last line.
    public var tornLine: Int?
    /// Why the torn line could not be read.
    var tornReason: String?
    /// The last line decoded but lacks its newline (a file edited by hand): the newline is added at open.
    var missingFinalNewline = false
}

/// Splits a log into records, telling a torn last line (an interrupted append) from real corruption.
public enum LogScanner {
    /// Reads `data` line by line.
    ///
    /// The last non-blank line is torn when it fails to decode and either has no newline or is not valid JSON:
    /// that is what an append cut short by a crash leaves. Any other undecodable line (one in the middle, or a
    /// complete JSON line of the wrong shape or a newer schema at the end) is an `InputError` naming file:line,
    /// because setting it aside would hide a problem that a person must look at.
    ///
    /// - Parameter linesBefore: how many lines of the file come before `data` (a log's tail read after a cached
    ///   prefix), so that errors name the file's own line numbers.
    public static func scan<Record>(
        _ data: Data, path: String, linesBefore: Int = 0, decode: (UnsafeRawBufferPointer) throws -> Record
    ) throws -> LogScan<Record> {
        try data.withUnsafeBytes { bytes in
            var scan = LogScan<Record>()
            var numbered = linesBefore
            let lines = JSONLines.ranges(in: bytes, linesBefore: &numbered)
            scan.records.reserveCapacity(lines.count)
            let progress = WorkProgress.current
            for (index, line) in lines.enumerated() {
                if index & 8191 == 0 { progress?.update("reading \(URL(fileURLWithPath: path).lastPathComponent)", done: index, total: lines.count) }
                let text = UnsafeRawBufferPointer(rebasing: bytes[line.start..<line.end])
                do {
                    scan.records.append(try decode(text))
                    if index == lines.count - 1 && !line.hasNewline { scan.missingFinalNewline = true }
                } catch {
                    let isLast = index == lines.count - 1
                    if isLast && (!line.hasNewline || !isJSON(Data(text))) {
                        scan.tornStart = line.start
                        scan.tornLine = line.number
                        scan.tornReason = line.hasNewline ? "not valid JSON" : "no newline at the end"
                        return scan
                    }
                    throw InputError(
                        file: path, line: line.number,
                        "cannot read this log record: \(JSONLines.describe(error)); the log was left untouched, fix or remove the line by hand")
                }
            }
            return scan
        }
    }

    /// Whether the bytes are one complete JSON value.
    static func isJSON(_ data: Data) -> Bool {
        (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
    }

    /// How many non-blank lines a side file holds (each set-aside line is one line there).
    static func countLines(_ data: Data) -> Int {
        data.split(separator: 0x0A).filter { line in !line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }.count
    }
}
