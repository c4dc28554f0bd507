import Foundation

/// A rater log's events as last read, kept in the study's `.index/logs/`, so that the next read parses only the
/// lines appended since: logs only grow, and a million labels are 300 MB of JSON to parse again otherwise.
///
/// The cache records how many bytes of the log it covers (whole lines only), how many lines that is, and the
/// XXH64 of those bytes. It is used only when the log on disk is at least that long and its first bytes have that
/// digest now; a log that shrank or whose covered bytes changed (a rewrite, a hand edit, a merge that reordered
/// lines) is read whole, with a note saying so, and the cache is made again. The events it gives are exactly the
/// ones a whole read gives (tests compare them), and the log stays the only truth.
public enum LogReplayCache {
    static let magic = "JRREPLY1"
    /// Below this many bytes a log is read whole every time (parsing it costs less than the cache file).
    public static let smallestCachedLog = 1 << 20
    /// A cache is written again once this many bytes were appended after what it covers.
    public static let rewriteAfter = 1 << 20

    /// A log's events read through the cache.
    public struct Reading {
        /// Every event of the log, oldest first: exactly what a whole read gives.
        public var events: [LabelEvent]
        /// The dataset position of each of the first `positions.count` events (-1: no such item), as the cache
        /// recorded them; the replay looks up the rest.
        public var positions: [Int32]
        /// A torn last line (an append cut short), as a whole read reports it.
        public var tornLine: Int?
        /// Set when a cache was there but could not serve (the log shrank or changed): what happened.
        public var note: String?
    }

    /// The cache of `rater`'s log in `study` (nil: no cache, for logs outside the study's annotation folder, and
    /// while a report records what it reads).
    static func file(for logFile: URL, study: Study?) -> URL? {
        guard let study, DerivedFiles.inUse,
              logFile.deletingLastPathComponent().standardizedFileURL.path == study.annotationFolder.standardizedFileURL.path
        else { return nil }
        return StudyLayout.replayCacheFile(study: study.folder, rater: logFile.deletingPathExtension().lastPathComponent)
    }

    /// The events of the log at `file`, the cached prefix's from the cache and the rest parsed; the cache is
    /// brought up to date when enough was appended (best effort: a study that cannot be written is read whole).
    ///
    /// The cache records each event's position in `dataset` and shares the dataset's id and hash strings (an
    /// event whose hash is the item's is stored without it); it serves only the items file it was made against
    /// (a re-import reads the logs whole once, without a note: the logs did not change).
    ///
    /// - Parameters:
    ///   - smallest: logs shorter than this are read whole and not cached (`smallestCachedLog`; tests pass less).
    ///   - rewriteAfter: the cache is written again once this many bytes follow what it covers.
    public static func readEvents(file: URL, study: Study?, dataset: Dataset, smallest: Int = smallestCachedLog,
                                  rewriteAfter: Int = rewriteAfter) throws -> Reading {
        let cacheFile = Self.file(for: file, study: study)
        var note: String?
        if let cacheFile, let cached = load(cacheFile, dataset: dataset)?.prefix {
            if let (tail, hashed) = try cached.rest(ofFileAt: file.path) {
                let scan = try LogScanner.scan(tail, path: file.path, linesBefore: cached.lines, decode: LabelEventReader().decode)
                let events = cached.records + scan.records
                if tail.count >= rewriteAfter, let study {
                    store(events: events, scan: scan, tail: tail, prefix: hashed, coveredBefore: cached.length,
                          linesBefore: cached.lines, to: cacheFile, study: study, dataset: dataset)
                }
                return Reading(events: events, positions: cached.positions, tornLine: scan.tornLine, note: nil)
            }
            note = "\(file.lastPathComponent) is not what it was when it was last read (it shrank, or its first \(cached.length) bytes changed): read whole"
        }
        let data = try SafeFile.read(file.path)
        let scan = try LogScanner.scan(data, path: file.path, decode: LabelEventReader().decode)
        if let cacheFile, let study, data.count >= smallest {
            store(events: scan.records, scan: scan, tail: data, prefix: XXH64(), coveredBefore: 0, linesBefore: 0,
                  to: cacheFile, study: study, dataset: dataset)
        }
        return Reading(events: scan.records, positions: [], tornLine: scan.tornLine, note: note)
    }

    /// The cached events of the log at `file` as a prefix `AppendOnlyLog` may take (it checks the digest against
    /// the file it opens); nil without a cache made against `dataset`'s items.
    static func prefix(of file: URL, study: Study, dataset: Dataset) -> CachedLogPrefix<LabelEvent>? {
        Self.file(for: file, study: study).flatMap { load($0, dataset: dataset)?.prefix }
    }

    /// Writes the cache of `events`, which cover the log's bytes up to the end of its last whole line read:
    /// the `coveredBefore` bytes (`linesBefore` lines) `prefix` was fed, then `tail` up to its torn line if any.
    /// A log whose last line lacks its newline, or a dataset not read from its file, is not cached.
    private static func store(events: [LabelEvent], scan: LogScan<LabelEvent>, tail: Data, prefix: XXH64, coveredBefore: Int,
                              linesBefore: Int, to cacheFile: URL, study: Study, dataset: Dataset) {
        guard !scan.missingFinalNewline, let items = dataset.fileMap, DerivedFiles.canWrite(study) else { return }
        let coveredTail = scan.tornStart ?? tail.count
        var digest = prefix
        var lines = linesBefore
        tail.withUnsafeBytes { bytes in
            let covered = UnsafeRawBufferPointer(rebasing: bytes[0..<coveredTail])
            digest.update(covered)
            // Numbered by the scanner's own rule, so that the tail read after this prefix names its lines right.
            _ = JSONLines.ranges(in: covered, linesBefore: &lines)
        }
        write(events: events, coveredLength: coveredBefore + coveredTail, lines: lines, digest: digest.finish(), items: items,
              to: cacheFile, study: study, dataset: dataset)
    }

    /// Writes the cache of the log at `file` from `events`, the records of every one of its lines as a writer that
    /// holds it has them (an import that has just appended to it): the file's bytes are read back in pieces for
    /// their digest and line count, never decoded. Best effort, as every derived file: a log shorter than
    /// `smallest`, one whose last line lacks its newline or whose lines are not as many as the events, is left
    /// without a cache (the next reader reads it whole and makes one).
    public static func storeHeld(events: [LabelEvent], file: URL, study: Study, dataset: Dataset, smallest: Int = smallestCachedLog) {
        guard let cacheFile = Self.file(for: file, study: study), let items = dataset.fileMap, DerivedFiles.canWrite(study) else { return }
        var digest = XXH64()
        var size = 0
        var lines = 0
        var nonBlank = 0
        var last: UInt8 = 0x0A
        do {
            try SafeFile.readLines(file.path) { piece in
                digest.update(piece)
                size += piece.count
                // Numbered by the scanner's own rule, as a cache made by reading the log is.
                nonBlank += JSONLines.ranges(in: piece, linesBefore: &lines).count
                if let byte = piece.last { last = byte }
            }
        } catch {
            return
        }
        guard size >= smallest, last == 0x0A, nonBlank == events.count else { return }
        // Held events keep the time they were made; their lines, and so every reader, the millisecond written.
        var lastTime: (held: Date, written: Date)?
        let events = events.map { event -> LabelEvent in
            let written = lastTime.flatMap { $0.held == event.at ? $0.written : nil } ?? Timestamp.asWritten(event.at)
            lastTime = (event.at, written)
            guard written != event.at else { return event }
            var read = event
            read.at = written
            return read
        }
        write(events: events, coveredLength: size, lines: lines, digest: digest.finish(), items: items, to: cacheFile,
              study: study, dataset: dataset)
    }

    /// The cache of `events`, which cover the log's first `coveredLength` bytes (`lines` lines, XXH64 `digest`),
    /// each with its position in `dataset`, written atomically under the index lock.
    private static func write(
        events: [LabelEvent], coveredLength: Int, lines: Int, digest: UInt64, items: DatasetFileMap, to cacheFile: URL,
        study: Study, dataset: Dataset
    ) {
        let positions = events.map { event in Int32(dataset.indexByID[event.item] ?? -1) }
        let cached = Cached(coveredLength: coveredLength, linesCovered: lines, digest: digest,
                            itemsSize: items.size, itemsDigest: items.digest, events: events, positions: positions)
        try? DerivedFiles.write(encode(cached, dataset: dataset), to: cacheFile, study: study)
    }

    /// What a cache file holds.
    struct Cached {
        var coveredLength: Int
        var linesCovered: Int
        var digest: UInt64
        /// The items file the positions were found in.
        var itemsSize: UInt64
        var itemsDigest: UInt64
        var events: [LabelEvent]
        var positions: [Int32]

        /// The events as the prefix of their log that they stand for.
        var prefix: CachedLogPrefix<LabelEvent> {
            CachedLogPrefix(records: events, length: coveredLength, lines: linesCovered, digest: digest, positions: positions)
        }
    }

    /// The cache in `file`, when it is intact and made against the items `dataset` was read from.
    static func load(_ file: URL, dataset: Dataset) -> Cached? {
        guard FileKind.ofPath(file.deletingLastPathComponent().path) == .folder, FileKind.ofPath(file.path) == .regular,
              let data = try? SafeFile.read(file.path) else { return nil }
        return try? data.withUnsafeBytes { try decode($0, dataset: dataset) }
    }

    // MARK: - Layout

    /// Bytes of one event's fixed record.
    static let recordSize = 72

    /// magic; covered length, lines and digest; the items file's size and digest; the strings; one fixed record
    /// per event; the variable fields (ms, writer); a checksum.
    static func encode(_ cached: Cached, dataset: Dataset) -> Data {
        var strings = BinaryStringTable()
        var records = [UInt8](repeating: 0, count: cached.events.count * recordSize)
        records.withUnsafeMutableBytes { bytes in
            for (index, event) in cached.events.enumerated() {
                let offset = index * recordSize
                func u32(_ value: UInt32, _ at: Int) { bytes.storeBytes(of: value.littleEndian, toByteOffset: offset + at, as: UInt32.self) }
                func u64(_ value: UInt64, _ at: Int) { bytes.storeBytes(of: value.littleEndian, toByteOffset: offset + at, as: UInt64.self) }
                let position = Int(cached.positions[index])
                let item = position >= 0 ? dataset.items[position] : nil
                u32(UInt32(truncatingIfNeeded: event.schema), 0)
                u32(strings.reference(event.kind.rawValue), 4)
                // The id and the hash are the item's own, unless it is gone or the label is for other content.
                u32(item == nil ? strings.reference(event.item) : 0, 8)
                u32(item?.contentHash == event.itemSHA256 ? 0 : strings.reference(event.itemSHA256), 12)
                u32(strings.reference(event.rater), 16)
                u32(strings.reference(event.answer), 20)
                u32(strings.reference(event.verdict?.rawValue), 24)
                u32(strings.reference(event.judgeAgreement?.rawValue), 28)
                u32(strings.reference(event.mode.rawValue), 32)
                u32(strings.reference(event.revises), 36)
                u32(strings.reference(event.note), 40)
                u32(strings.reference(event.flag?.rawValue), 44)
                u64(event.at.timeIntervalSinceReferenceDate.bitPattern, 48)
                u32(strings.reference(event.purpose?.rawValue), 56)
                // judgeSeenFirst, whether ms is there, and whether the writer is.
                u32((event.judgeSeenFirst ? 1 : 0) | (event.ms != nil ? 2 : 0) | (event.writer != nil ? 4 : 0), 60)
                u32(UInt32(bitPattern: Int32(position)), 64)
            }
        }
        var extras = BinaryWriter(magic: "")
        for event in cached.events {
            if let ms = event.ms { extras.i64(Int64(ms)) }
            if let writer = event.writer {
                extras.u32(strings.reference(writer.site))
                extras.u32(strings.reference(writer.installation))
            }
        }
        var writer = BinaryWriter(magic: magic, capacity: records.count + extras.bytes.count + 1 << 16)
        writer.u64(UInt64(cached.coveredLength))
        writer.u64(UInt64(cached.linesCovered))
        writer.u64(cached.digest)
        writer.u64(cached.itemsSize)
        writer.u64(cached.itemsDigest)
        writer.u64(UInt64(cached.events.count))
        strings.write(to: &writer)
        writer.raw(records)
        writer.u64(UInt64(extras.bytes.count))
        writer.raw(extras.bytes)
        return writer.finished()
    }

    /// Reads a cache made against the items `dataset` was read from; throws when it is damaged or made against
    /// other items.
    static func decode(_ bytes: UnsafeRawBufferPointer, dataset: Dataset) throws -> Cached {
        var reader = try BinaryReader.checked(bytes, magic: magic)
        let covered = Int(try reader.u64())
        let lines = Int(try reader.u64())
        let digest = try reader.u64()
        let itemsSize = try reader.u64()
        let itemsDigest = try reader.u64()
        guard let items = dataset.fileMap, items.size == itemsSize, items.digest == itemsDigest else {
            throw BinaryReader.Damaged(description: "made against other items")
        }
        let count = try reader.count(bytesEach: recordSize)
        let strings = try BinaryStringTable.read(from: &reader)
        let records = try reader.raw(count * recordSize)
        let extras = try reader.raw(try reader.count(bytesEach: 1))
        try reader.finish()
        var extraOffset = 0
        func take<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard extraOffset + MemoryLayout<T>.size <= extras.count else { throw BinaryReader.Damaged(description: "extras cut short") }
            defer { extraOffset += MemoryLayout<T>.size }
            return T(littleEndian: extras.loadUnaligned(fromByteOffset: extraOffset, as: T.self))
        }
        func value<E: RawRepresentable>(_ reference: UInt32, _: E.Type) throws -> E? where E.RawValue == String {
            guard let raw = try BinaryStringTable.string(reference, in: strings) else { return nil }
            guard let value = E(rawValue: raw) else { throw BinaryReader.Damaged(description: "unknown value \(raw)") }
            return value
        }
        var events: [LabelEvent] = []
        var positions: [Int32] = []
        events.reserveCapacity(count)
        positions.reserveCapacity(count)
        for index in 0..<count {
            let offset = index * recordSize
            func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: records.loadUnaligned(fromByteOffset: offset + at, as: UInt32.self)) }
            let bits = u32(60)
            let position = Int32(bitPattern: u32(64))
            guard position < dataset.items.count, let kind = try value(u32(4), LabelEvent.Kind.self),
                  let mode = try value(u32(32), LabelMode.self) else {
                throw BinaryReader.Damaged(description: "event \(index) out of range")
            }
            let item = position >= 0 ? dataset.items[Int(position)] : nil
            guard let id = try BinaryStringTable.string(u32(8), in: strings) ?? item?.id,
                  let hash = try BinaryStringTable.string(u32(12), in: strings) ?? item?.contentHash else {
                throw BinaryReader.Damaged(description: "event \(index) without its item")
            }
            let at = Date(timeIntervalSinceReferenceDate: Double(bitPattern: UInt64(littleEndian: records.loadUnaligned(fromByteOffset: offset + 48, as: UInt64.self))))
            let ms = bits & 2 != 0 ? Int(try take(Int64.self)) : nil
            var writer: WriterIdentity?
            if bits & 4 != 0 {
                writer = WriterIdentity(site: try BinaryStringTable.required(try take(UInt32.self), in: strings),
                                        installation: try BinaryStringTable.required(try take(UInt32.self), in: strings))
            }
            events.append(LabelEvent(
                kind: kind, item: id, itemSHA256: hash,
                rater: try BinaryStringTable.required(u32(16), in: strings),
                answer: try BinaryStringTable.string(u32(20), in: strings),
                verdict: try value(u32(24), Verdict.self), judgeAgreement: try value(u32(28), JudgeAgreement.self),
                mode: mode, judgeSeenFirst: bits & 1 != 0, revises: try BinaryStringTable.string(u32(36), in: strings),
                note: try BinaryStringTable.string(u32(40), in: strings), flag: try value(u32(44), LabelFlag.self),
                at: at, ms: ms, purpose: try value(u32(56), LabelPurpose.self), schema: Int(u32(0)), writer: writer))
            positions.append(position)
        }
        guard extraOffset == extras.count else { throw BinaryReader.Damaged(description: "extras left over") }
        return Cached(coveredLength: covered, linesCovered: lines, digest: digest, itemsSize: itemsSize,
                      itemsDigest: itemsDigest, events: events, positions: positions)
    }
}
