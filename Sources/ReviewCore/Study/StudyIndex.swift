import Foundation
import ReviewStatistics

/// The study index: a derived binary file with what every analysis reads of each item, so that `status`,
/// `agreement`, `export` and the queues of a million-item study do not parse 600 MB of texts again.
///
/// It holds, for each item in file order: the id, the content hash, the design fields (experiment, condition,
/// stimulus and its id, transcript, model and settings, criterion), the judge's name and answer, whether there is
/// a response, and where the item's line lies in `items.jsonl` (for a console that shows one item at a time).
/// It records the size and XXH64 of the `items.jsonl` it was built from, and is used only when the file on disk
/// has that size and digest now (checked on every use, never trusted for its name or its time stamp), and only
/// when its own checksum holds. Otherwise the items are read whole and the index is built again (`import` builds
/// it too). `items.jsonl` stays the only truth; deleting `.index/` loses nothing.
public enum StudyIndex {
    /// The first bytes of an index file; a new layout gets a new one (an old index is then rebuilt).
    static let magic = "JRINDEX1"
    /// Bytes of one item's fixed record.
    static let recordSize = 64

    /// What a command needs of the items: summaries serve every count, coefficient, rate and label export;
    /// texts are needed to show or judge an item, to write a dataset, to verify hashes and for a report's
    /// manifest (which digests the very bytes it read).
    public enum Detail: Sendable {
        case summaries
        case texts
    }

    /// The study's items, from the index when it is valid and summaries will do; read whole otherwise (and then
    /// indexed, when the study's folder can be written), named `name`.
    public static func dataset(of study: Study, name: String, detail: Detail) throws -> Dataset {
        // A report's manifest digests the very bytes the numbers rest on, and names every file it opened: it reads
        // the items themselves and leaves the index alone.
        let recording = !DerivedFiles.inUse
        let summariesWanted = detail == .summaries && !recording
        if summariesWanted, var indexed = load(study: study) {
            indexed.name = name
            return indexed
        }
        var dataset = try Dataset.read(from: study.itemsFile, allowingEmpty: true)
        dataset.name = name
        // An index that could not serve summaries is rebuilt even when its header names this very file (its body
        // is damaged, or of another layout).
        if !dataset.items.isEmpty, !recording, summariesWanted || !recordsFile(of: study, as: dataset.fileMap) {
            write(dataset, study: study)
        }
        return dataset
    }

    /// Whether the index on disk says it was built from the file `map` describes (its header only: the body is
    /// checked when it is used, and rebuilt then if damaged).
    static func recordsFile(of study: Study, as map: DatasetFileMap?) -> Bool {
        guard let map else { return false }
        let indexFile = StudyLayout.itemsIndexFile(study: study.folder)
        guard FileKind.ofPath(indexFile.path) == .regular,
              let handle = FileHandle(forReadingAtPath: indexFile.path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: magic.utf8.count + 16) else { return false }
        // The header as `decode` reads it: magic, then the items file's size and digest.
        let recorded = try? header.withUnsafeBytes { bytes -> (UInt64, UInt64) in
            var reader = try BinaryReader.header(bytes, magic: magic)
            return (try reader.u64(), try reader.u64())
        }
        return recorded.map { $0 == (map.size, map.digest) } ?? false
    }

    /// The summaries the index holds, when it is there, intact, and built from `items.jsonl` as it is now.
    static func load(study: Study) -> Dataset? {
        let indexFile = StudyLayout.itemsIndexFile(study: study.folder)
        guard FileKind.ofPath(StudyLayout.indexFolder(study: study.folder).path) == .folder,
              FileKind.ofPath(indexFile.path) == .regular else { return nil }
        // The digest of items.jsonl is worked out on another core while the index is read and decoded (started
        // apart: a part of a `ParallelWork.map` around the decoding kept the decoding's own parts off that core).
        let itemsPath = study.itemsFile.path
        let digest = ParallelWork.begin { try? fileDigest(path: itemsPath) }
        guard let bytes = try? SafeFile.read(indexFile.path),
              var decoded = try? bytes.withUnsafeBytes({ try decode($0) }),
              let onDisk = digest.value ?? nil, let map = decoded.fileMap, onDisk.size == map.size, onDisk.digest == map.digest
        else {
            _ = digest.value  // never left running past the load
            return nil
        }
        decoded.texts = ItemTexts(path: itemsPath, map: map)
        return decoded
    }

    /// The size and XXH64 of a file's bytes, read in pieces (links refused, as for every study file).
    public static func fileDigest(path: String) throws -> (size: UInt64, digest: UInt64) {
        var digest = XXH64()
        var size: UInt64 = 0
        try SafeFile.readLines(path) { piece in
            digest.update(piece)
            size += UInt64(piece.count)
        }
        return (size, digest.finish())
    }

    /// Writes the index of `dataset` (read whole from the study's `items.jsonl`, with its file map) atomically
    /// under the index lock; does nothing when another process is writing it, when the items are summaries, or
    /// when the folder cannot be written (a read-only copy is analysed from the items themselves).
    public static func write(_ dataset: Dataset, study: Study) {
        guard let map = dataset.fileMap else { return }
        write(dataset, map: map, study: study)
    }

    /// Writes the index of `dataset`, whose lines `map` says where the study's `items.jsonl` holds (`import`, which
    /// has just written them, or found them there already).
    ///
    /// - Parameter unlessRecorded: leave an index whose header already names this very file (an unchanged
    ///   re-import); its body is checked when it is used.
    public static func write(_ dataset: Dataset, map: DatasetFileMap, study: Study, unlessRecorded: Bool = false) {
        if unlessRecorded && recordsFile(of: study, as: map) { return }
        guard !dataset.textsLeftOut, map.lineStarts.count == dataset.items.count, DerivedFiles.canWrite(study) else { return }
        let data = encode(dataset.items, map: map, positions: dataset.indexByID)
        try? DerivedFiles.write(data, to: StudyLayout.itemsIndexFile(study: study.folder), study: study)
    }

    // MARK: - Layout

    /// The index's bytes: magic; size and digest of items.jsonl; the shared strings; the criteria (as JSON
    /// strings); one fixed record per item; the content hashes (32 bytes each); the ids; the ids' lookup table
    /// (`ItemPositions`); a checksum.
    static func encode(_ items: [Item], map: DatasetFileMap, positions: ItemPositions? = nil) -> Data {
        var strings = FieldStrings()
        var criteria: [Criterion: UInt32] = [:]
        var criterionList: [Criterion] = []
        var records = [UInt8](repeating: 0, count: items.count * recordSize)
        var hashes = [UInt8]()
        hashes.reserveCapacity(items.count * 32)
        for (position, item) in items.enumerated() {
            let criterionNumber: UInt32
            if let known = criteria[item.criterion] {
                criterionNumber = known
            } else {
                criterionNumber = UInt32(criterionList.count)
                criteria[item.criterion] = criterionNumber
                criterionList.append(item.criterion)
            }
            var record = Record()
            record.experiment = item.experiment == .stigma ? 1 : 0
            record.flags = (item.response != nil ? 1 : 0) | (item.judge != nil ? 2 : 0) | (item.subject.contextPosition != nil ? 4 : 0)
            record.steelman = tristate(item.subject.steelman)
            record.contextualized = tristate(item.subject.contextualized)
            record.condition = strings.reference(item.condition, slot: 0)
            record.stimulusID = strings.reference(item.stimulusID, slot: 1)
            record.transcript = strings.reference(item.transcript, slot: 2)
            record.stimulus = strings.reference(item.stimulus, slot: 3)
            record.subjectName = strings.reference(item.subject.name, slot: 4)
            record.runDate = strings.reference(item.subject.runDate, slot: 5)
            record.criterion = criterionNumber
            record.judgeName = strings.reference(item.judge?.name, slot: 6)
            record.judgeAnswer = strings.reference(item.judge?.answer, slot: 7)
            record.contextPosition = Int64(item.subject.contextPosition ?? 0)
            record.lineStart = map.lineStarts[position]
            record.lineLength = map.lineLengths[position]
            let hash = item.contentHash
            if let bytes = hashBytes(hash) {
                hashes.append(contentsOf: bytes)
            } else {
                // A hash edited into something else by hand is kept as written: labels compare with it exactly.
                record.hashText = strings.table.reference(hash)
                hashes.append(contentsOf: [UInt8](repeating: 0, count: 32))
            }
            records.withUnsafeMutableBytes { record.store(into: $0, at: position * recordSize) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var writer = BinaryWriter(magic: magic, capacity: records.count + hashes.count + items.count * 24 + 4096)
        writer.u64(map.size)
        writer.u64(map.digest)
        writer.u64(UInt64(items.count))
        strings.table.write(to: &writer)
        writer.u64(UInt64(criterionList.count))
        for criterion in criterionList {
            let json = (try? encoder.encode(criterion)) ?? Data()
            writer.u64(UInt64(json.count))
            writer.raw(json)
        }
        writer.raw(records)
        writer.raw(hashes)
        let ids = items.map(\.id)
        BinaryStringTable.write(ids, to: &writer)
        let slots = positions?.slots(ifOver: ids) ?? ItemPositions.slots(for: ids)
        writer.u64(UInt64(slots.count))
        for slot in slots { writer.u32(slot) }
        return writer.finished()
    }

    /// Reads an index's bytes into summaries (with the file map they record); throws when anything is amiss.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Dataset {
        var reader = try BinaryReader.checked(bytes, magic: magic)
        var map = DatasetFileMap()
        map.size = try reader.u64()
        map.digest = try reader.u64()
        let count = try reader.count(bytesEach: recordSize + 32)
        let strings = try BinaryStringTable.read(from: &reader)
        let criterionCount = try reader.count(bytesEach: 8)
        let decoder = JSONDecoder()
        var readCriteria: [Criterion] = []
        for _ in 0..<criterionCount {
            let length = try reader.count(bytesEach: 1)
            readCriteria.append(try decoder.decode(Criterion.self, from: Data(try reader.raw(length))))
        }
        let criteria = readCriteria
        let records = try reader.raw(count * recordSize)
        let hashes = try reader.raw(count * 32)
        let ids = try BinaryStringTable.read(from: &reader)
        let slotCount = try reader.count(bytesEach: 4)
        let slotBytes = try reader.raw(slotCount * 4)
        let slots = (0..<slotCount).map { UInt32(littleEndian: slotBytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
        try reader.finish()
        guard ids.count == count else { throw BinaryReader.Damaged(description: "\(ids.count) ids for \(count) items") }

        map.lineStarts = [UInt64](repeating: 0, count: count)
        map.lineLengths = [UInt32](repeating: 0, count: count)
        let parts = ParallelWork.parts(for: count, minimum: 20_000)
        let source = SharedBytes(bytes: records)
        let hashSource = SharedBytes(bytes: hashes)
        var failure: (any Error)?
        // Each part fills its own range of the items and line arrays in place (no copy of a million items after).
        let items = map.lineStarts.withUnsafeMutableBufferPointer { starts in
            map.lineLengths.withUnsafeMutableBufferPointer { lengths in
                let lines = SharedLines(starts: starts, lengths: lengths)
                return [Item](unsafeUninitializedCapacity: count) { buffer, initialized in
                    let output = SharedItems(buffer: buffer)
                    let made = ParallelWork.map(parts: parts) { part -> (range: Range<Int>, made: Int, error: (any Error)?) in
                        let range = (count * part / parts)..<(count * (part + 1) / parts)
                        // Each part's items share strings of its own: a million reference counts on the same few
                        // strings from two cores at once would bounce their cache lines between the cores.
                        let (partStrings, partCriteria) = part == 0 ? (strings, criteria) : (strings.map(Self.ownCopy), criteria.map(Self.ownCopy))
                        var made = 0
                        do {
                            for position in range {
                                let record = Record(from: source.bytes, at: position * recordSize)
                                output.buffer.initializeElement(
                                    at: position, to: try summary(record, position: position, id: ids[position], strings: partStrings,
                                                    criteria: partCriteria, hashes: hashSource.bytes))
                                made += 1
                                lines.starts[position] = record.lineStart
                                lines.lengths[position] = record.lineLength
                            }
                        } catch {
                            return (range, made, error)
                        }
                        return (range, made, nil)
                    }
                    if let failed = made.first(where: { $0.error != nil }) {
                        for part in made {
                            let start = part.range.lowerBound
                            _ = UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + part.made)]).deinitialize()
                        }
                        failure = failed.error
                        initialized = 0
                    } else {
                        initialized = count
                    }
                }
            }
        }
        if let failure { throw failure }
        guard let positions = ItemPositions(slots: slots, ids: ids) else { throw BinaryReader.Damaged(description: "id table") }
        var dataset = Dataset(name: "", items: items, indexByID: positions)
        dataset.fileMap = map
        return dataset
    }

    /// One item's summary from its record.
    private static func summary(_ record: Record, position: Int, id: String, strings: [String], criteria: [Criterion],
                                hashes: UnsafeRawBufferPointer) throws -> Item {
        guard Int(record.criterion) < criteria.count, record.experiment < 2 else {
            throw BinaryReader.Damaged(description: "record \(position) out of range")
        }
        let subject = SubjectModel(
            name: try BinaryStringTable.required(record.subjectName, in: strings),
            steelman: tristate(record.steelman),
            contextPosition: record.flags & 4 != 0 ? Int(record.contextPosition) : nil,
            contextualized: tristate(record.contextualized),
            runDate: try BinaryStringTable.string(record.runDate, in: strings))
        let judge: JudgeAnswer? = record.flags & 2 == 0 ? nil : JudgeAnswer(
            name: try BinaryStringTable.required(record.judgeName, in: strings),
            answer: try BinaryStringTable.string(record.judgeAnswer, in: strings))
        let hash = try BinaryStringTable.string(record.hashText, in: strings)
            ?? ContentHash.hex(UnsafeRawBufferPointer(rebasing: hashes[(position * 32)..<(position * 32 + 32)]))
        return Item.summary(
            id: id, experiment: record.experiment == 1 ? .stigma : .acuteSymptom,
            condition: try BinaryStringTable.required(record.condition, in: strings),
            stimulusID: try BinaryStringTable.string(record.stimulusID, in: strings),
            transcript: try BinaryStringTable.string(record.transcript, in: strings),
            stimulus: try BinaryStringTable.required(record.stimulus, in: strings),
            subject: subject, hasResponse: record.flags & 1 != 0, criterion: criteria[Int(record.criterion)],
            judge: judge, contentHash: hash)
    }

    /// A string with storage of its own (equal to `text`).
    private static func ownCopy(_ text: String) -> String {
        String(decoding: Array(text.utf8), as: UTF8.self)
    }

    /// A criterion whose strings have storage of their own (equal to `criterion`).
    private static func ownCopy(_ criterion: Criterion) -> Criterion {
        var copy = Criterion(question: ownCopy(criterion.question), options: criterion.options.map(ownCopy),
                             appropriate: ownCopy(criterion.appropriate))
        copy.scale = criterion.scale.map { CriterionScale(ordered: $0.ordered.map(ownCopy), inappropriate: $0.inappropriate.map(ownCopy)) }
        return copy
    }

    /// The output arrays of a decode, each part writing only its own range while the caller waits.
    private struct SharedItems: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Item>
    }

    private struct SharedLines: @unchecked Sendable {
        let starts: UnsafeMutableBufferPointer<UInt64>
        let lengths: UnsafeMutableBufferPointer<UInt32>
    }

    private static func tristate(_ value: Bool?) -> UInt8 { value.map { $0 ? 2 : 1 } ?? 0 }
    private static func tristate(_ value: UInt8) -> Bool? { value == 0 ? nil : value == 2 }

    /// The 32 bytes a 64-digit lowercase hex hash spells (what `ContentHash.hex` gives back), or nil for any
    /// other text.
    private static func hashBytes(_ hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case 0x30...0x39: digit - 0x30
            case 0x61...0x66: digit - 0x61 + 10
            default: nil
            }
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in 0..<32 {
            guard let high = value(digits[2 * index]), let low = value(digits[2 * index + 1]) else { return nil }
            bytes[index] = high << 4 | low
        }
        return bytes
    }

    /// One item's fixed record (`recordSize` bytes).
    private struct Record {
        var experiment: UInt8 = 0
        /// 1: has a response; 2: has a judge; 4: has a context position.
        var flags: UInt8 = 0
        var steelman: UInt8 = 0
        var contextualized: UInt8 = 0
        var condition: UInt32 = 0
        var stimulusID: UInt32 = 0
        var transcript: UInt32 = 0
        var stimulus: UInt32 = 0
        var subjectName: UInt32 = 0
        var runDate: UInt32 = 0
        var criterion: UInt32 = 0
        var judgeName: UInt32 = 0
        var judgeAnswer: UInt32 = 0
        var contextPosition: Int64 = 0
        var lineStart: UInt64 = 0
        var lineLength: UInt32 = 0
        /// The content hash as text, for one that is not 64 lowercase hex digits (0: the 32 bytes hold it).
        var hashText: UInt32 = 0

        init() {}

        init(from bytes: UnsafeRawBufferPointer, at offset: Int) {
            func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + at, as: UInt32.self)) }
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + at, as: UInt64.self)) }
            experiment = bytes[offset]
            flags = bytes[offset + 1]
            steelman = bytes[offset + 2]
            contextualized = bytes[offset + 3]
            condition = u32(4)
            stimulusID = u32(8)
            transcript = u32(12)
            stimulus = u32(16)
            subjectName = u32(20)
            runDate = u32(24)
            criterion = u32(28)
            judgeName = u32(32)
            judgeAnswer = u32(36)
            contextPosition = Int64(bitPattern: u64(40))
            lineStart = u64(48)
            lineLength = u32(56)
            hashText = u32(60)
        }

        func store(into bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
            func u32(_ value: UInt32, _ at: Int) { bytes.storeBytes(of: value.littleEndian, toByteOffset: offset + at, as: UInt32.self) }
            func u64(_ value: UInt64, _ at: Int) { bytes.storeBytes(of: value.littleEndian, toByteOffset: offset + at, as: UInt64.self) }
            bytes[offset] = experiment
            bytes[offset + 1] = flags
            bytes[offset + 2] = steelman
            bytes[offset + 3] = contextualized
            u32(condition, 4)
            u32(stimulusID, 8)
            u32(transcript, 12)
            u32(stimulus, 16)
            u32(subjectName, 20)
            u32(runDate, 24)
            u32(criterion, 28)
            u32(judgeName, 32)
            u32(judgeAnswer, 36)
            u64(UInt64(bitPattern: contextPosition), 40)
            u64(lineStart, 48)
            u32(lineLength, 56)
            u32(hashText, 60)
        }
    }

    /// The shared-strings table of an index being written, with the last string of each field remembered:
    /// neighbouring items mostly share their condition, model and criterion, and an equal string that shares
    /// storage compares without hashing.
    private struct FieldStrings {
        var table = BinaryStringTable()
        private var last: [(string: String?, reference: UInt32)] = Array(repeating: (nil, 0), count: 8)

        mutating func reference(_ string: String?, slot: Int) -> UInt32 {
            if last[slot].string == string { return last[slot].reference }
            let reference = table.reference(string)
            last[slot] = (string, reference)
            return reference
        }
    }
}

/// Writes the study's derived files (`.index/`): atomically, under the index lock (waited for a few seconds:
/// the logs' caches of one study are written side by side), never through a link, and not at all when the lock
/// stays taken.
enum DerivedFiles {
    /// Whether the running command may use the derived files at all: not while a report records what it reads
    /// (its manifest names every file opened, with the digest of the very bytes its numbers rest on).
    static var inUse: Bool { ReadDigests.current == nil }

    /// Whether the derived files can be written at all (a read-only copy of a study is read without them, and
    /// nothing is encoded in vain).
    static func canWrite(_ study: Study) -> Bool {
        let folder = StudyLayout.indexFolder(study: study.folder)
        switch FileKind.ofPath(folder.path) {
        case nil: return access(study.folder.path, W_OK) == 0
        case .folder?: return access(folder.path, W_OK) == 0
        default: return false
        }
    }

    static func write(_ data: Data, to file: URL, study: Study) throws {
        let folder = StudyLayout.indexFolder(study: study.folder)
        let options = (try? study.settings())?.storeOptions() ?? StoreOptions()
        switch FileKind.ofPath(folder.path) {
        case nil: try StoreFolders.create(folder, permissions: options.folderPermissions, fileSystem: POSIXFileSystem())
        case .folder?: break
        default: return  // a link or a file where the folder belongs: the derived files are not written
        }
        let parent = file.deletingLastPathComponent()
        if parent.path != folder.path {
            switch FileKind.ofPath(parent.path) {
            case nil: try StoreFolders.create(parent, permissions: options.folderPermissions, fileSystem: POSIXFileSystem())
            case .folder?: break
            default: return
            }
        }
        let lockFile = folder.appendingPathComponent(StudyLayout.indexLockFileName)
        let lock = try LogLock(lockFile: lockFile, guarding: file, waiting: 5, permissions: options.filePermissions,
                               fileSystem: POSIXFileSystem())
        defer { lock.release() }
        try AtomicFile.write(data, to: file, permissions: options.filePermissions)
    }
}
