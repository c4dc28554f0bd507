// Reads a generic ratings table (`item,<rater>,...`, one row per item) into a RatingTable, fast.
import CSV
import Foundation
import ReviewStatistics
import ReviewCore

/// Reads `--ratings FILE.csv`: a header `item,<rater>,<rater>,...`, one row per item, an empty cell for a
/// missing rating.
///
/// Files without a double quote (the usual export) are split as bytes, and each cell is mapped to its
/// category code through a small byte-keyed table, without making a String per cell; files with quotes go
/// through yaslab/CSV.swift. Both paths feed the same accumulator, so they give identical tables. Cells and
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
        try CSVCellLimit.check(data, path: path)
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

    /// The fast path: lines split at `\n` (a trailing `\r` dropped), cells at `,`.
    static func readUnquoted(_ raw: UnsafeRawBufferPointer, into accumulator: inout RatingsAccumulator) throws {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else { return }
        let end = raw.count
        accumulator.reserve(rows: countLines(base, end))
        var position = 0
        if end >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF { position = 3 }
        var line = 0
        while position < end {
            line += 1
            let remaining = end - position
            let lineEnd: Int
            if let found = memchr(base + position, 0x0A, remaining) {
                lineEnd = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            } else {
                lineEnd = end
            }
            var contentEnd = lineEnd
            if contentEnd > position, base[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            if !isBlank(base, position, contentEnd) {
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
            position = lineEnd + 1
        }
    }

    /// Newlines in the file, to size the arrays once.
    static func countLines(_ base: UnsafePointer<UInt8>, _ end: Int) -> Int {
        var count = 1
        var position = 0
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

    /// The quoted path: RFC 4180 fields from CSV.swift; physical lines counted from the newlines each record spans.
    static func readQuoted(data: Data, path: String, into accumulator: inout RatingsAccumulator) throws {
        guard var text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: JSONLines.firstInvalidUTF8Line(in: data), "not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false)
        } catch {
            throw InputError(file: path, "not CSV: \(error)")
        }
        var line = 1
        while let row = reader.next() {
            let spanned = row.reduce(0) { $0 + $1.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
            defer { line += 1 + spanned }
            if row.count == 1, row[0].allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            try accumulator.beginRow(line: line)
            for field in row {
                var field = field
                try field.withUTF8 { try accumulator.addCell($0) }
            }
            try accumulator.endRow()
        }
        if let error = reader.error { throw InputError(file: path, line: line, "not CSV: \(error)") }
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
    var duplicateCheck = ItemIDSet()
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
        duplicateCheck = ItemIDSet(expected: rows)
        reservedRows = rows
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
            let id = try text(cell)
            if let earlier = duplicateCheck.insert(hash: ItemIDSet.hash(cell), row: Int32(items.count), id: id, items: items) {
                throw InputError(file: path, line: rowLine, "duplicate item id \"\(id)\" (first on line \(lines[Int(earlier)]))")
            }
            items.append(id)
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
    @inline(__always)
    func text(_ cell: UnsafeBufferPointer<UInt8>) throws -> String {
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

/// An open-addressing set of item ids, to find duplicate ids without hashing Strings.
///
/// Each slot is one `UInt64`: a 32-bit fingerprint of the id's hash above the row number + 1 (0 = empty), so
/// that a probe touches one cache line; a fingerprint match is confirmed by comparing the ids themselves.
struct ItemIDSet {
    var slots: [UInt64]
    var count = 0
    /// log2 of the table size; slots come from the top bits of a Fibonacci-multiplied hash.
    var bits: Int

    /// A set sized for about `expected` ids without growing.
    init(expected: Int = 512) {
        var bits = 10
        while (1 << bits) < expected * 2 { bits += 1 }
        self.bits = bits
        slots = [UInt64](repeating: 0, count: 1 << bits)
    }

    /// FNV-1a over the bytes.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }

    /// The first slot to probe, from the fingerprint (the hash's top 32 bits) alone, so that growing can re-place entries.
    @inline(__always)
    func home(of hashOrEntry: UInt64) -> Int {
        let fingerprint = hashOrEntry & 0xFFFF_FFFF_0000_0000
        return Int(truncatingIfNeeded: (fingerprint &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    /// Inserts the row's id; returns the earlier row holding the same id, if any.
    mutating func insert(hash: UInt64, row: Int32, id: String, items: [String]) -> Int32? {
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        let fingerprint = hash & 0xFFFF_FFFF_0000_0000
        var slot = home(of: hash)
        let found: Int32? = slots.withUnsafeMutableBufferPointer { slots in
            while slots[slot] != 0 {
                let entry = slots[slot]
                if entry & 0xFFFF_FFFF_0000_0000 == fingerprint {
                    let earlier = Int32(truncatingIfNeeded: (entry & 0xFFFF_FFFF) - 1)
                    if items[Int(earlier)] == id { return earlier }
                }
                slot = (slot + 1) & mask
            }
            slots[slot] = fingerprint | (UInt64(UInt32(bitPattern: row)) + 1)
            return nil
        }
        if found == nil { count += 1 }
        return found
    }

    /// Doubles the table and re-places every entry (homes depend only on the fingerprint, which entries keep).
    mutating func grow() {
        let old = slots
        bits += 1
        slots = [UInt64](repeating: 0, count: 1 << bits)
        let mask = slots.count - 1
        for entry in old where entry != 0 {
            var slot = home(of: entry)
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }
}
