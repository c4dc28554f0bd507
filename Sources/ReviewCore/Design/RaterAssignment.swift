import Foundation
import ReviewStatistics

/// Who labels which sampled items, in which order (`assignment.json`): every item goes to exactly `overlap`
/// raters, each rater within one item of the mean, each rater's order shuffled with a recorded seed.
public struct RaterAssignment: Codable, Sendable, Equatable {
    /// The file's name in the study folder.
    public static let fileName = StudyLayout.assignmentFileName

    /// One rater's queue.
    public struct Queue: Codable, Sendable, Equatable {
        public var rater: String
        /// The rater's items in the order they are shown, each once.
        public var items: [String]
        /// Items shown a second time later in the queue, without saying so, for intra-rater agreement:
        /// `(item, after)`: shown again once `after` items of the queue have been labelled.
        public var repeats: [Repeat]
        /// Calibration items with known answers, for the practice round before live work.
        public var gold: [String]
    }

    /// An item to show again.
    public struct Repeat: Codable, Sendable, Equatable {
        public var item: String
        public var after: Int
    }

    /// A calibration item and its known answer.
    public struct GoldItem: Codable, Sendable, Equatable {
        public var id: String
        public var answer: String

        public init(id: String, answer: String) {
            self.id = id
            self.answer = answer
        }
    }

    public var schema = 1
    public var seed: UInt64
    public var overlap: Int
    public var repeatFraction: Double
    public var createdAt: Date
    /// The sample's seed the assignment was made for (a new sample needs a new assignment).
    public var sampleSeed: UInt64
    public var queues: [Queue]
    public var gold: [GoldItem]

    enum CodingKeys: String, CodingKey {
        case schema, seed, overlap, queues, gold
        case repeatFraction = "repeat_fraction"
        case createdAt = "created_at"
        case sampleSeed = "sample_seed"
    }

    /// A design problem, one line.
    public typealias DesignError = ValidationSample.DesignError

    /// Assigns `items` (the sample's, in its order) to `raters`, `overlap` raters an item.
    ///
    /// Items are shuffled once with the seed and dealt round-robin (item j to raters jK, jK+1, …, jK+K−1
    /// modulo R), so every item has K different raters, every rater gets ⌊NK/R⌋ or ⌈NK/R⌉ items, and every pair of
    /// raters shares items about equally; each rater's queue is then shuffled with a seed of its own.
    public static func make(
        items: [String], raters: [String], overlap: Int, seed: UInt64, repeatFraction: Double = 0,
        gold: [GoldItem] = [], sampleSeed: UInt64, now: Date = Date()
    ) throws -> RaterAssignment {
        try check(raters: raters, overlap: overlap, repeatFraction: repeatFraction)
        guard !items.isEmpty else { throw DesignError("the sample is empty") }
        var random = SplitMix64(seed: seed)
        var order = items
        random.shuffle(&order)
        var byRater: [[String]] = Array(repeating: [], count: raters.count)
        for (index, item) in order.enumerated() {
            for slot in 0..<overlap { byRater[(index * overlap + slot) % raters.count].append(item) }
        }
        let queues = raters.enumerated().map { index, rater in
            queue(rater: rater, items: byRater[index], seed: seed &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15,
                  repeatFraction: repeatFraction, gold: gold.map(\.id))
        }
        return RaterAssignment(seed: seed, overlap: overlap, repeatFraction: repeatFraction, createdAt: now,
                               sampleSeed: sampleSeed, queues: queues, gold: gold)
    }

    /// Adds raters (or takes the same ones again) without moving what is labelled: every pair of a rater and
    /// an item they have labelled stays; the other places are dealt again to the least-loaded raters who do not
    /// yet hold the item, so each item still has `overlap` raters and the load stays within one of the mean
    /// as far as the labelled pairs allow. Queues keep their labelled items first, in their old order.
    public func rebalanced(
        raters: [String], labelled: [String: Set<String>], seed: UInt64, now: Date = Date()
    ) throws -> RaterAssignment {
        try Self.check(raters: raters, overlap: overlap, repeatFraction: repeatFraction)
        let given = Set(raters)
        let dropped = queues.map(\.rater).filter { !given.contains($0) }
        for rater in dropped where !(labelled[rater] ?? []).isEmpty {
            throw DesignError("rater \(rater) has labelled items of this assignment and cannot be left out (give every earlier rater again)")
        }
        let items = Self.itemsInOrder(queues)
        var holders: [String: [String]] = [:]
        var load: [String: Int] = Dictionary(uniqueKeysWithValues: raters.map { ($0, 0) })
        var kept: [String: [String]] = [:]
        for queue in queues where given.contains(queue.rater) {
            let done = labelled[queue.rater] ?? []
            for item in queue.items where done.contains(item) {
                holders[item, default: []].append(queue.rater)
                load[queue.rater, default: 0] += 1
                kept[queue.rater, default: []].append(item)
            }
        }
        var random = SplitMix64(seed: seed)
        var open = items
        random.shuffle(&open)
        var added: [String: [String]] = [:]
        // The least-loaded rater first (ties: the one named first), from a heap: a pick costs log R, not R², so
        // thousands of raters rebalance at once.
        var heap = LoadHeap(loads: raters.indices.map { (load: load[raters[$0]] ?? 0, rater: $0) })
        // Items that already have holders first: they are the constrained ones (their holders cannot take them
        // again); the free items then even out the loads.
        for item in open.sorted(by: { (holders[$0]?.count ?? 0) > (holders[$1]?.count ?? 0) }) {
            while (holders[item]?.count ?? 0) < overlap {
                // Skip the item's holders (at most `overlap` of them), then put them back.
                var skipped: [(load: Int, rater: Int)] = []
                var chosen: (load: Int, rater: Int)?
                while let top = heap.pop() {
                    if (holders[item] ?? []).contains(raters[top.rater]) { skipped.append(top) } else { chosen = top; break }
                }
                skipped.forEach { heap.push($0) }
                guard let chosen else { break }
                let rater = raters[chosen.rater]
                heap.push((chosen.load + 1, chosen.rater))
                holders[item, default: []].append(rater)
                load[rater, default: 0] += 1
                added[rater, default: []].append(item)
            }
        }
        let oldQueues = Dictionary(self.queues.map { ($0.rater, $0) }, uniquingKeysWith: { first, _ in first })
        let queues = raters.enumerated().map { index, rater in
            let fresh = Self.queue(rater: rater, items: added[rater] ?? [], seed: seed &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15,
                                   repeatFraction: repeatFraction, gold: gold.map(\.id))
            let labelledItems = kept[rater] ?? []
            let old = oldQueues[rater]
            let keptRepeats = (old?.repeats ?? []).filter { labelledItems.contains($0.item) }
            let shiftedRepeats = fresh.repeats.map { Repeat(item: $0.item, after: $0.after + labelledItems.count) }
            return Queue(rater: rater, items: labelledItems + fresh.items, repeats: keptRepeats + shiftedRepeats, gold: fresh.gold)
        }
        return RaterAssignment(seed: seed, overlap: overlap, repeatFraction: repeatFraction, createdAt: now,
                               sampleSeed: sampleSeed, queues: queues, gold: gold)
    }

    private static func check(raters: [String], overlap: Int, repeatFraction: Double) throws {
        guard !raters.isEmpty else { throw DesignError("--raters needs at least one rater") }
        guard Set(raters).count == raters.count else { throw DesignError("--raters names a rater twice") }
        for rater in raters {
            if let problem = RaterName.problem(with: rater) { throw DesignError("--raters: \(problem)") }
        }
        guard overlap >= 1 else { throw DesignError("--overlap must be at least 1") }
        guard overlap <= raters.count else {
            throw DesignError("--overlap \(overlap) needs at least \(overlap) raters (given \(raters.count))")
        }
        guard repeatFraction >= 0, repeatFraction <= 0.5 else { throw DesignError("--repeats must lie between 0 and 0.5") }
    }

    /// One rater's shuffled queue, with its repeats: `repeatFraction` of its items, each shown again at least
    /// ten items (or half the queue) after its first showing.
    private static func queue(rater: String, items: [String], seed: UInt64, repeatFraction: Double, gold: [String]) -> Queue {
        var random = SplitMix64(seed: seed)
        var order = items
        random.shuffle(&order)
        let count = Int((Double(order.count) * repeatFraction).rounded())
        var repeats: [Repeat] = []
        if count > 0 {
            let gap = min(10, max(1, order.count / 2))
            let eligible = Array(order.indices.dropLast(min(gap, order.count)))
            for index in random.shuffled(eligible).prefix(count).sorted() {
                let earliest = index + gap
                let after = random.integer(in: earliest...max(earliest, order.count))
                repeats.append(Repeat(item: order[index], after: after))
            }
        }
        return Queue(rater: rater, items: order, repeats: repeats.sorted { ($0.after, $0.item) < ($1.after, $1.item) }, gold: gold)
    }

    /// Every assigned item once, in first-met order.
    static func itemsInOrder(_ queues: [Queue]) -> [String] {
        var seen: Set<String> = []
        return queues.flatMap(\.items).filter { seen.insert($0).inserted }
    }

    /// The queue of a rater, nil when they have none.
    public func queue(of rater: String) -> Queue? { queues.first { $0.rater == rater } }

    /// How many raters each item has.
    public var ratersPerItem: [String: Int] {
        var counts: [String: Int] = [:]
        for queue in queues { for item in queue.items { counts[item, default: 0] += 1 } }
        return counts
    }

    // MARK: the file

    public static func url(in study: Study) -> URL { study.folder.appendingPathComponent(fileName) }

    /// The study's assignment, nil when none was made; a malformed file is a one-line error naming it.
    public static func load(from study: Study) throws -> RaterAssignment? {
        let url = url(in: study)
        guard SafeFile.exists(url.path) else { return nil }
        let data = try SafeFile.read(url.path)
        let assignment: RaterAssignment
        do {
            assignment = try StudyFiles.decoder.decode(RaterAssignment.self, from: data)
        } catch {
            throw InputError(file: url.path, line: 1, "not an assignment file: \(JSONLines.describe(error))")
        }
        if let problem = assignment.problem() { throw InputError(file: url.path, line: 1, problem) }
        return assignment
    }

    /// What a hand-edited file holds that `make` or `rebalanced` would never write, as one line (the rules the
    /// commands apply: raters, overlap, repeats); nil when it is consistent.
    public func problem() -> String? {
        guard schema >= 1 else { return "schema \(schema) is not a schema of this file" }
        guard schema <= 1 else { return "schema \(schema) is newer than this build reads (1); update judge-review" }
        do {
            try Self.check(raters: queues.map(\.rater), overlap: overlap, repeatFraction: repeatFraction)
        } catch {
            return "\(error)".replacingOccurrences(of: "--raters", with: "queues").replacingOccurrences(of: "--overlap", with: "overlap")
                .replacingOccurrences(of: "--repeats", with: "repeat_fraction")
        }
        var holders: [String: Int] = [:]
        for queue in queues {
            var seen: Set<String> = []
            for item in queue.items {
                guard seen.insert(item).inserted else { return "\(queue.rater)'s queue holds item \(TextSanitizer.singleLine(item)) twice" }
                holders[item, default: 0] += 1
            }
            for shown in queue.repeats {
                guard seen.contains(shown.item) else {
                    return "\(queue.rater)'s repeat of \(TextSanitizer.singleLine(shown.item)) is not an item of the queue"
                }
                guard shown.after >= 0, shown.after <= queue.items.count else {
                    return "\(queue.rater)'s repeat of \(TextSanitizer.singleLine(shown.item)) comes after \(shown.after) items; the queue has \(queue.items.count)"
                }
            }
            for item in queue.gold where !gold.contains(where: { $0.id == item }) {
                return "\(queue.rater)'s practice item \(TextSanitizer.singleLine(item)) has no answer in gold"
            }
        }
        if let (item, count) = holders.first(where: { $0.value > overlap }) {
            return "item \(TextSanitizer.singleLine(item)) is in \(count) queues; overlap is \(overlap)"
        }
        for entry in gold where entry.answer.trimmingCharacters(in: .whitespaces).isEmpty {
            return "gold item \(TextSanitizer.singleLine(entry.id)) has an empty answer"
        }
        return nil
    }

    public func write(to study: Study, permissions: mode_t = FileModes.file()) throws {
        try AtomicFile.write(try StudyFiles.encoder.encode(self) + Data([0x0A]), to: Self.url(in: study), permissions: permissions)
    }
}

/// What `status` says of a study's design: the sample, and per assigned rater assigned / labelled / remaining,
/// with the overlap achieved (items with at least `overlap` raters' labels).
public enum DesignStatus {
    public static func lines(sample: ValidationSample?, assignment: RaterAssignment?, labels: StudyLabels) -> [String] {
        var lines: [String] = []
        if let sample {
            lines.append("sample: \(sample.items.count) of \(sample.population) judged items in \(sample.strata.count) strata (\(sample.strataFields.map(\.rawValue).joined(separator: " × ")), \(sample.allocation.rawValue), seed \(sample.seed))")
        }
        guard let assignment else { return lines }
        let dataset = labels.dataset
        let replays = Dictionary(labels.humanReplays.map { ($0.rater, $0) }, uniquingKeysWith: { first, _ in first })
        var labelledBy: [String: Int] = [:]
        var rows: [[String]] = []
        // Practice and repeat columns only when the design has them (answered of asked, from the same replay).
        let extras = assignment.queues.contains { !$0.gold.isEmpty || !$0.repeats.isEmpty }
        for queue in assignment.queues {
            var done = 0
            for item in queue.items {
                guard let position = dataset.indexByID[item], replays[queue.rater]?.current(at: position)?.settlesItem == true else { continue }
                done += 1
                labelledBy[item, default: 0] += 1
            }
            var row = [queue.rater, "\(queue.items.count)", "\(done)", "\(queue.items.count - done)"]
            if extras {
                let other = replays[queue.rater]?.practiceAndRepeats ?? [:]
                let practised = Set(queue.gold).filter { other[LabelKey(item: $0, purpose: .practice)] != nil }.count
                let repeated = Set(queue.repeats.map(\.item)).filter { other[LabelKey(item: $0, purpose: .repeat)] != nil }.count
                row += ["\(practised)/\(Set(queue.gold).count)", "\(repeated)/\(Set(queue.repeats.map(\.item)).count)"]
            }
            rows.append(row)
        }
        let items = assignment.ratersPerItem.count
        let reached = labelledBy.values.filter { $0 >= assignment.overlap }.count
        lines.append("assignment: \(items) items, \(assignment.overlap) raters each (seed \(assignment.seed)); \(reached) of \(items) items have \(assignment.overlap) labels")
        let header = ["rater", "assigned", "labelled", "remaining"] + (extras ? ["practice", "repeats"] : [])
        lines += TextTable.render(header: header, rows: rows, rightAligned: extras ? [1, 2, 3, 4, 5] : [1, 2, 3], rule: true, indent: "  ")
        return lines
    }
}

/// A binary min-heap of raters by (load, position in the list of raters): the next rater to give an item to.
struct LoadHeap {
    private var entries: [(load: Int, rater: Int)]

    /// A heap of these loads.
    init(loads: [(load: Int, rater: Int)]) {
        entries = []
        entries.reserveCapacity(loads.count)
        for entry in loads { push(entry) }
    }

    private static func less(_ a: (load: Int, rater: Int), _ b: (load: Int, rater: Int)) -> Bool {
        a.load != b.load ? a.load < b.load : a.rater < b.rater
    }

    /// Adds an entry.
    mutating func push(_ entry: (load: Int, rater: Int)) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Takes the least entry out.
    mutating func pop() -> (load: Int, rater: Int)? {
        guard let first = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < entries.count, Self.less(entries[left], entries[smallest]) { smallest = left }
                if right < entries.count, Self.less(entries[right], entries[smallest]) { smallest = right }
                if smallest == parent { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
