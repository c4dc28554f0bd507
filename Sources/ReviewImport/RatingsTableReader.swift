// Reads a generic ratings table (`item,<rater>,...`, one row per item) into a RatingTable, fast.
import Foundation
import ReviewStatistics
import ReviewCore

/// Reads `--ratings FILE.csv`: a header `item,<rater>,<rater>,...`, one row per item, an empty cell for a
/// missing rating.
///
/// Files without a double quote (the usual export) are split as bytes, and each cell is mapped to its
/// category code through a small byte-keyed table, without making a String per cell; files with quotes go
/// through the RFC 4180 reader (`CSVScanner`). Both paths feed the same accumulator, so they give identical tables. Cells and
/// item ids are trimmed of spaces and tabs. Errors name the file and the physical line.
public enum RatingsTableReader {
    /// Reads the table at `path`.
    ///
    /// - Parameters:
    ///   - categories: fixes the category set and order (a cell outside it is an error); nil for the sorted
    ///     observed values (numerically when every value is a number).
    public static func read(path: String, categories: [String]? = nil) throws -> RatingTable {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, "no such file")
        }
        if isDirectory.boolValue { throw InputError(file: path, "is a folder, expected a ratings .csv file") }
        // Read, not mapped: a file truncated while it is read must give an error, never SIGBUS.
        let data = try SafeFile.read(path, followLinks: true)
        return try read(data: data, path: path, categories: categories)
    }

    /// Reads a table from bytes; `path` is only used in error messages.
    public static func read(data: Data, path: String, categories: [String]? = nil) throws -> RatingTable {
        var accumulator = RatingsAccumulator(path: path, fixedCategories: categories)
        accumulator.byteCount = data.count
        let hasQuote = data.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress, raw.count > 0 else { return false }
            return memchr(base, 0x22, raw.count) != nil
        }
        if hasQuote {
            try readQuoted(data: data, path: path, into: &accumulator)
        } else {
            try data.withUnsafeBytes { raw in try readUnquoted(raw, into: &accumulator) }
        }
        return try accumulator.finish()
    }

    /// The fast path: lines split at `\n` (a trailing `\r` dropped), cells at `,`. The header is read first; the
    /// rows after it, in a large file, in parts on the machine's cores, each part into an accumulator of its own,
    /// joined in file order (`RatingsAccumulator.append`), so the table is the one a single pass gives and the
    /// error reported is the first in the file.
    static func readUnquoted(_ raw: UnsafeRawBufferPointer, into accumulator: inout RatingsAccumulator) throws {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else { return }
        let end = raw.count
        var position = 0
        if end >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF { position = 3 }
        // The header: the first line that is not blank.
        var line = 0
        while position < end, !accumulator.headerDone {
            line += 1
            let lineEnd = lineEnd(base, from: position, end: end)
            try readRow(base, from: position, to: lineEnd, line: line, into: &accumulator)
            position = lineEnd + 1
        }
        guard position < end else { return }
        let parts = ParallelWork.parts(for: end - position, minimum: 1 << 22)
        var starts = [position]
        for part in 1..<max(parts, 1) {
            let guess = position + (end - position) * part / parts
            guard guess > starts[starts.count - 1], let found = memchr(base + guess, 0x0A, end - guess) else { break }
            let next = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            if next < end, next > starts[starts.count - 1] { starts.append(next) }
        }
        starts.append(end)
        var firstLines = [line + 1]
        for index in 1..<(starts.count - 1) {
            firstLines.append(firstLines[index - 1] + newlines(base, from: starts[index - 1], to: starts[index]))
        }
        let shared = SharedBytes(bytes: raw)
        let template = accumulator
        let (partStarts, partLines) = (starts, firstLines)
        let results = ParallelWork.map(parts: starts.count - 1) { part -> Result<RatingsAccumulator, any Error> in
            guard let base = shared.bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return .success(template) }
            var piece = template
            piece.reserve(rows: newlines(base, from: partStarts[part], to: partStarts[part + 1]) + 1)
            return Result {
                try readRows(base, from: partStarts[part], to: partStarts[part + 1], firstLine: partLines[part], into: &piece)
                return piece
            }
        }
        for result in results { try accumulator.append(try result.get()) }
    }

    /// The rows in `from..<to` (whole lines), the first on physical line `firstLine`.
    static func readRows(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, firstLine: Int,
                         into accumulator: inout RatingsAccumulator) throws {
        var position = start
        var line = firstLine - 1
        while position < end {
            line += 1
            let lineEnd = lineEnd(base, from: position, end: end)
            try readRow(base, from: position, to: lineEnd, line: line, into: &accumulator)
            position = lineEnd + 1
        }
    }

    /// The end of the line that starts at `position`: its newline, or `end`.
    @inline(__always)
    static func lineEnd(_ base: UnsafePointer<UInt8>, from position: Int, end: Int) -> Int {
        guard let found = memchr(base + position, 0x0A, end - position) else { return end }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// One line's cells (a blank line is skipped).
    @inline(__always)
    static func readRow(_ base: UnsafePointer<UInt8>, from position: Int, to lineEnd: Int, line: Int,
                        into accumulator: inout RatingsAccumulator) throws {
        var contentEnd = lineEnd
        if contentEnd > position, base[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        guard !isBlank(base, position, contentEnd) else { return }
        try accumulator.beginRow(line: line)
        var cellStart = position
        var index = position
        while index < contentEnd {
            if base[index] == 0x2C {
                try accumulator.addCell(UnsafeBufferPointer(start: base + cellStart, count: index - cellStart))
                cellStart = index + 1
            }
            index += 1
        }
        try accumulator.addCell(UnsafeBufferPointer(start: base + cellStart, count: contentEnd - cellStart))
        try accumulator.endRow()
    }

    /// Newlines in `from..<to`.
    static func newlines(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var count = 0
        var position = start
        while position < end, let found = memchr(base + position, 0x0A, end - position) {
            count += 1
            position = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return count
    }

    static func isBlank(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var index = start
        while index < end {
            if base[index] != 0x20 && base[index] != 0x09 { return false }
            index += 1
        }
        return true
    }

    /// The quoted path: RFC 4180 records from `CSVScanner`, each with its physical line.
    static func readQuoted(data: Data, path: String, into accumulator: inout RatingsAccumulator) throws {
        guard var text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: JSONLines.firstInvalidUTF8Line(in: data), "not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var lastLine = 1
        let quotes = try CSVScanner.scan(text, path: path) { line, row in
            lastLine = line
            if row.count == 1, row[0].allSatisfy({ $0 == " " || $0 == "\t" }) { return }
            try accumulator.beginRow(line: line)
            for field in row {
                var field = field
                try field.withUTF8 { try accumulator.addCell($0) }
            }
            try accumulator.endRow()
        }
        if quotes % 2 == 1 {
            throw InputError(file: path, line: lastLine, "not CSV: unbalanced double quote (a quoted field is never closed)")
        }
    }
}

/// Collects the header, item ids and category codes row by row, shared by both reading paths.
struct RatingsAccumulator {
    let path: String
    let fixedCategories: [String]?
    var raters: [String] = []
    var headerDone = false
    var items: [String] = []
    var codes: [Int32] = []
    /// Physical line of each row, for duplicate-id messages.
    var lines: [Int32] = []

    /// Category names in code order (first appearance, or `fixedCategories`).
    var categoryNames: [String] = []
    /// Categories of up to 7 bytes packed as (length << 56 | bytes), looked up by a linear scan.
    var packedKeys: [UInt64] = []
    var packedCodes: [Int32] = []
    /// Longer categories, looked up by String.
    var longCodes: [String: Int32] = [:]
    /// Every category by its NFC name.
    var codeByName: [String: Int32] = [:]

    var headerCells: [String] = []
    var rowLine = 0
    var column = 0
    var expectedColumns = 0
    /// Each row's id hash, for the duplicate check at the end (`DuplicateItemIDs`).
    var idHashes: [UInt64] = []
    /// Rows reserved before the header was read; the codes are reserved once the width is known.
    var reservedRows = 0
    /// The file's size in bytes, an upper bound on the number of cells.
    var byteCount = 0

    init(path: String, fixedCategories: [String]?) {
        self.path = path
        self.fixedCategories = fixedCategories
        if let fixedCategories {
            for name in fixedCategories { _ = register(name) }
        }
    }

    /// Adds a category name (in NFC, so composed and decomposed spellings are one category) and returns its code.
    mutating func register(_ name: String) -> Int32 {
        let normalized = name.precomposedStringWithCanonicalMapping
        let code = Int32(categoryNames.count)
        categoryNames.append(normalized)
        codeByName[normalized] = code
        addSpelling(normalized, code: code)
        return code
    }

    /// Maps one byte spelling of a category to its code, for the fast lookup of later cells.
    mutating func addSpelling(_ spelling: String, code: Int32) {
        var copy = spelling
        if let packed = copy.withUTF8({ Self.pack($0) }) {
            packedKeys.append(packed)
            packedCodes.append(code)
        } else {
            longCodes[spelling] = code
        }
    }

    /// Up to 7 bytes packed into one integer with the length in the top byte; nil when longer.
    @inline(__always)
    static func pack(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard bytes.count <= 7 else { return nil }
        var key = UInt64(bytes.count) << 56
        for index in 0..<bytes.count { key |= UInt64(bytes[index]) << (8 * UInt64(index)) }
        return key
    }

    /// Sizes the arrays for about `rows` rows (a hint: more rows still fit).
    mutating func reserve(rows: Int) {
        items.reserveCapacity(rows)
        lines.reserveCapacity(rows)
        idHashes.reserveCapacity(rows)
        reservedRows = rows
        if headerDone { codes.reserveCapacity(min(rows * raters.count, byteCount)) }
    }

    mutating func beginRow(line: Int) throws {
        rowLine = line
        column = 0
    }

    @inline(__always)
    static func trimmed(_ cell: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard let base = cell.baseAddress else { return cell }
        var start = 0, end = cell.count
        while start < end, base[start] == 0x20 || base[start] == 0x09 { start += 1 }
        while end > start, base[end - 1] == 0x20 || base[end - 1] == 0x09 { end -= 1 }
        return UnsafeBufferPointer(rebasing: cell[start..<end])
    }

    mutating func addCell(_ rawCell: UnsafeBufferPointer<UInt8>) throws {
        if rawCell.count > CSVCellLimit.maximumBytes { throw CSVCellLimit.tooLong(path: path, line: rowLine, bytes: rawCell.count) }
        let cell = Self.trimmed(rawCell)
        defer { column += 1 }
        if !headerDone {
            headerCells.append(try text(cell))
            return
        }
        if column >= expectedColumns {
            throw InputError(file: path, line: rowLine, "too many cells: the header has \(expectedColumns) columns (item + \(raters.count) raters)")
        }
        if column == 0 {
            guard cell.count > 0 else { throw InputError(file: path, line: rowLine, "empty item id in the first column") }
            items.append(try text(cell))
            idHashes.append(StableHash.fnv1a(cell))
            lines.append(Int32(rowLine))
            return
        }
        if cell.count == 0 {
            codes.append(RatingTable.missing)
            return
        }
        codes.append(try code(for: cell))
    }

    /// The cell as a String; invalid UTF-8 is an error on the cell's line, never silently repaired.
    ///
    /// ASCII (every id the tools write) is made without the generic validator, which costs a metadata lookup a call.
    @inline(__always)
    func text(_ cell: UnsafeBufferPointer<UInt8>) throws -> String {
        if Self.isASCII(cell) { return String(decoding: cell, as: UTF8.self) }
        guard let text = String(validating: cell, as: UTF8.self) else {
            throw InputError(file: path, line: rowLine, "not UTF-8 text")
        }
        return text
    }

    @inline(__always)
    mutating func code(for cell: UnsafeBufferPointer<UInt8>) throws -> Int32 {
        if let packed = Self.pack(cell) {
            var index = 0
            while index < packedKeys.count {
                if packedKeys[index] == packed { return packedCodes[index] }
                index += 1
            }
        } else if let code = longCodes[String(decoding: cell, as: UTF8.self)] {
            return code
        }
        let name = try text(cell)
        // Another spelling (NFD, say) of a known category: remember these bytes for the next cell too.
        if let known = codeByName[name.precomposedStringWithCanonicalMapping] {
            addSpelling(name, code: known)
            return known
        }
        if let fixedCategories {
            throw InputError(
                file: path, line: rowLine,
                "\"\(name)\" (rater \(raters[column - 1])) is not one of --categories \(fixedCategories.joined(separator: ","))")
        }
        if categoryNames.count >= AgreementLimits.maximumCategories {
            throw InputError(file: path, line: rowLine, AgreementLimits.tooManyCategories(categoryNames.count + 1))
        }
        return register(name)
    }

    /// Whether every byte is below 0x80 (eight at a time).
    @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var index = 0
        var seen: UInt64 = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= bytes.count {
            seen |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            seen |= UInt64(base[index])
            index += 1
        }
        return seen & 0x8080_8080_8080_8080 == 0
    }

    /// Adds the rows another accumulator read after this one's (a later part of the file, with the same header):
    /// its categories mapped to this one's codes (registered in order of first appearance), its rows appended.
    mutating func append(_ later: RatingsAccumulator) throws {
        var map = [Int32](repeating: RatingTable.missing, count: later.categoryNames.count)
        for (code, name) in later.categoryNames.enumerated() {
            if let known = codeByName[name] {
                map[code] = known
                continue
            }
            if categoryNames.count >= AgreementLimits.maximumCategories {
                throw InputError(file: path, AgreementLimits.tooManyCategories(categoryNames.count + 1))
            }
            map[code] = register(name)
        }
        items.append(contentsOf: later.items)
        idHashes.append(contentsOf: later.idHashes)
        lines.append(contentsOf: later.lines)
        codes.reserveCapacity(codes.count + later.codes.count)
        for code in later.codes { codes.append(code >= 0 ? map[Int(code)] : code) }
    }

    mutating func endRow() throws {
        if !headerDone {
            try acceptHeader()
            return
        }
        if column < expectedColumns {
            throw InputError(file: path, line: rowLine, "\(column) cells, expected \(expectedColumns) (item + \(raters.count) raters)")
        }
    }

    mutating func acceptHeader() throws {
        headerDone = true
        guard headerCells.count >= 3 else {
            throw InputError(file: path, line: rowLine, "the header needs an item column and at least two rater columns, e.g. item,alice,bob")
        }
        raters = Array(headerCells.dropFirst())
        if raters.count > AgreementLimits.maximumRaters {
            throw InputError(file: path, line: rowLine, "\(raters.count) rater columns; at most \(AgreementLimits.maximumRaters) are read")
        }
        var seen: Set<String> = []
        for rater in raters {
            if rater.isEmpty { throw InputError(file: path, line: rowLine, "empty rater name in the header") }
            if !seen.insert(rater).inserted { throw InputError(file: path, line: rowLine, "rater \"\(rater)\" appears twice in the header") }
        }
        expectedColumns = headerCells.count
        // Every code takes at least one byte of the file (its comma), so the file's size bounds the reservation
        // even when the row count is inflated by blank lines.
        codes.reserveCapacity(min(reservedRows * raters.count, byteCount))
    }

    /// The finished table; observed categories sorted (numerically when all are numbers) unless fixed.
    mutating func finish() throws -> RatingTable {
        guard headerDone else { throw InputError(file: path, "empty file, expected a header item,<rater>,<rater>,...") }
        guard !items.isEmpty else { throw InputError(file: path, "no rows after the header") }
        if let (earlier, later) = DuplicateItemIDs.first(hashes: idHashes, items: items) {
            throw InputError(file: path, line: Int(lines[later]), "duplicate item id \"\(items[later])\" (first on line \(lines[earlier]))")
        }
        var categories = categoryNames
        if fixedCategories == nil {
            let numbers = categoryNames.map(CategoryNumber.value)
            let order: [Int]
            if numbers.allSatisfy({ $0 != nil }) {
                order = categoryNames.indices.sorted { (numbers[$0] ?? 0, categoryNames[$0]) < (numbers[$1] ?? 0, categoryNames[$1]) }
            } else {
                order = categoryNames.indices.sorted { categoryNames[$0] < categoryNames[$1] }
            }
            categories = order.map { categoryNames[$0] }
            var newCode = [Int32](repeating: 0, count: categoryNames.count)
            for (position, old) in order.enumerated() { newCode[old] = Int32(position) }
            if order != Array(categoryNames.indices) {
                codes.withUnsafeMutableBufferPointer { buffer in
                    for index in buffer.indices where buffer[index] >= 0 { buffer[index] = newCode[Int(buffer[index])] }
                }
            }
        }
        return RatingTable(items: items, raters: raters, categories: categories, codes: codes)
    }
}

/// Finds repeated item ids once every row is read, cache-friendly at a million rows: the ids' hashes are
/// partitioned by their top bits into buckets small enough for the first-level cache, and each bucket is checked
/// with a small open-addressing table; a hash match is confirmed by comparing the ids themselves.
///
/// One big table probed row by row missed the cache on nearly every probe (60% of reading a 3 × 1,000,000 table).
enum DuplicateItemIDs {
    /// The first row (in file order) whose id an earlier row has, with that earlier row; nil when ids are unique.
    static func first(hashes: [UInt64], items: [String]) -> (earlier: Int, later: Int)? {
        let count = hashes.count
        guard count > 1 else { return nil }
        var bucketBits = 0
        while (count >> bucketBits) > 2048 { bucketBits += 1 }
        let buckets = 1 << bucketBits
        let shift = UInt64(64 - bucketBits)
        @inline(__always) func bucket(_ hash: UInt64) -> Int { bucketBits == 0 ? 0 : Int(truncatingIfNeeded: hash >> shift) }
        // Rows scattered by bucket, in file order within each.
        var starts = [Int](repeating: 0, count: buckets + 1)
        for hash in hashes { starts[bucket(hash) + 1] += 1 }
        for index in 0..<buckets { starts[index + 1] += starts[index] }
        var fill = starts
        var rows = [Int32](repeating: 0, count: count)
        for (row, hash) in hashes.enumerated() {
            let target = bucket(hash)
            rows[fill[target]] = Int32(row)
            fill[target] += 1
        }
        var best: (earlier: Int, later: Int)?
        var largest = 0
        for index in 0..<buckets { largest = max(largest, starts[index + 1] - starts[index]) }
        var tableBits = 4
        while (1 << tableBits) < largest * 2 { tableBits += 1 }
        var table = [Int32](repeating: -1, count: 1 << tableBits)
        let mask = table.count - 1
        for index in 0..<buckets where starts[index + 1] - starts[index] > 1 {
            for position in starts[index]..<starts[index + 1] {
                let row = Int(rows[position])
                let hash = hashes[row]
                var slot = Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - tableBits))
                while table[slot] >= 0 {
                    let other = Int(table[slot])
                    if hashes[other] == hash, items[other] == items[row] {
                        if best.map({ row < $0.later }) ?? true { best = (other, row) }
                        break
                    }
                    slot = (slot + 1) & mask
                }
                if table[slot] < 0 { table[slot] = Int32(row) }
            }
            for position in starts[index]..<starts[index + 1] {
                // Clear only what this bucket used.
                let hash = hashes[Int(rows[position])]
                var slot = Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - tableBits))
                while table[slot] >= 0 { table[slot] = -1; slot = (slot + 1) & mask }
            }
        }
        return best
    }
}
