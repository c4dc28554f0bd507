import Foundation
import ReviewStatistics

/// The stratified validation sample of a study (`sample.json`): which judged items clinicians label, and each
/// one's inclusion probability, which the estimates weight by.
///
/// Drawn with a seed: the same study, strata, allocation, size and seed give the same sample on every machine
/// (items are taken in dataset order within each stratum, strata in the order of their keys, with SplitMix64).
public struct ValidationSample: Codable, Sendable, Equatable {
    /// The file's name in the study folder.
    public static let fileName = StudyLayout.sampleFileName

    /// What the strata can be made of.
    public enum StratumField: String, Codable, CaseIterable, Sendable {
        case model, condition, verdict, steelman, contextualized

        /// The item's value for this field, as the stratum key shows it.
        func value(of item: borrowing Item) -> String {
            switch self {
            case .model: return item.subject.name
            case .condition: return item.condition
            case .verdict:
                switch item.judgeVerdict {
                case .appropriate: return "appropriate"
                case .inappropriate: return "inappropriate"
                case .noVerdict: return "no verdict"
                }
            case .steelman: return item.subject.steelman.map { $0 ? "on" : "off" } ?? "unknown"
            case .contextualized: return item.subject.contextualized.map { $0 ? "yes" : "no" } ?? "unknown"
            }
        }
    }

    /// The key of the stratum an item falls in, for these fields: `model=gpt-4o, verdict=appropriate` (the one
    /// spelling sample.json, the design and the pilot all match strata by).
    public static func stratumLabel(fields: [StratumField], of item: borrowing Item) -> String {
        label(fields: fields) { $0.value(of: item) }
    }

    /// `field=value, ...` in the fields' order.
    static func label(fields: [StratumField], value: (StratumField) -> String) -> String {
        fields.map { "\($0.rawValue)=\(value($0))" }.joined(separator: ", ")
    }

    /// How the sample is spread over the strata.
    public enum Allocation: String, Codable, CaseIterable, Sendable {
        /// In proportion to each stratum's population.
        case proportional
        /// The same number in every stratum.
        case equal
        /// In proportion to population × the within-stratum spread of the human verdict (Neyman), from the
        /// study's labels so far (a pilot) or a stated guess of the rate of inappropriate responses.
        case neyman
        /// Proportional, with judge-"appropriate" items of the acute-risk conditions weighted up (by
        /// `missesWeight`), where the judge's misses cost most.
        case misses
    }

    /// One stratum: its key, population and sample size.
    public struct Stratum: Codable, Sendable, Equatable {
        /// Field → value, e.g. `{"model": "gpt-4o", "verdict": "appropriate"}`.
        public var key: [String: String]
        /// Items of the study in the stratum.
        public var population: Int
        /// Items drawn from it.
        public var sampled: Int
        /// Each of its items' inclusion probability, `sampled / population`.
        public var probability: Double

        /// The key as `field=value, ...` in the strata's field order.
        public func label(fields: [StratumField]) -> String {
            ValidationSample.label(fields: fields) { key[$0.rawValue] ?? "" }
        }
    }

    /// One drawn item.
    public struct SampledItem: Codable, Sendable, Equatable {
        public var id: String
        /// Index into `strata`.
        public var stratum: Int
        public var probability: Double
    }

    public var schema = 1
    public var seed: UInt64
    public var size: Int
    public var strataFields: [StratumField]
    public var allocation: Allocation
    public var minPerStratum: Int
    /// For `misses`: how much more a judge-"appropriate" acute-risk item weighs.
    public var missesWeight: Double?
    /// For `neyman`: the guess used where a stratum has no pilot labels.
    public var neymanGuess: Double?
    public var drawnAt: Date
    /// Judged items (with a judge verdict) in the study when the sample was drawn: the population sampled.
    public var population: Int
    public var strata: [Stratum]
    public var items: [SampledItem]

    enum CodingKeys: String, CodingKey {
        case schema, seed, size, allocation, population, strata, items
        case strataFields = "strata_fields"
        case minPerStratum = "min_per_stratum"
        case missesWeight = "misses_weight"
        case neymanGuess = "neyman_guess"
        case drawnAt = "drawn_at"
    }

    /// What `sample` was asked for.
    public struct Request: Sendable {
        public var size: Int
        public var strata: [StratumField]
        public var allocation: Allocation
        public var minPerStratum: Int
        public var seed: UInt64
        public var missesWeight: Double
        /// Human rate of inappropriate responses by stratum label from the labels so far (neyman's pilot).
        public var pilotRates: [String: (rate: Double, labels: Int)]
        public var neymanGuess: Double?

        public init(size: Int, strata: [StratumField] = [.model, .condition, .verdict], allocation: Allocation = .proportional,
                    minPerStratum: Int = 0, seed: UInt64, missesWeight: Double = 3, pilotRates: [String: (rate: Double, labels: Int)] = [:],
                    neymanGuess: Double? = nil) {
            self.size = size
            self.strata = strata
            self.allocation = allocation
            self.minPerStratum = minPerStratum
            self.seed = seed
            self.missesWeight = missesWeight
            self.pilotRates = pilotRates
            self.neymanGuess = neymanGuess
        }
    }

    /// A design problem (a size larger than the study, strata the minimum cannot fill), one line.
    public struct DesignError: Error, CustomStringConvertible, Equatable, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Draws a sample of `request.size` items of `dataset`.
    public static func draw(from dataset: Dataset, _ request: Request, now: Date = Date()) throws -> ValidationSample {
        guard !request.strata.isEmpty else { throw DesignError("--strata needs at least one of \(StratumField.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard Set(request.strata).count == request.strata.count else { throw DesignError("--strata names a field twice") }
        guard request.size > 0 else { throw DesignError("--size must be at least 1") }
        // The population is the judged items: those with a verdict of the judge's to validate.
        let judged = dataset.items.indices.filter { dataset.items[$0].judgeVerdict != .noVerdict }
        guard request.size <= judged.count else {
            throw DesignError("--size \(request.size) is larger than the study's judged items (\(judged.count) with a judge verdict, of \(dataset.items.count))")
        }
        guard request.minPerStratum >= 0 else { throw DesignError("--min-per-stratum cannot be negative") }
        if request.allocation == .misses, !request.strata.contains(.verdict) || !request.strata.contains(.condition) {
            throw DesignError("--allocation misses needs verdict and condition among --strata (it weights up the judge's appropriate verdicts on acute-risk conditions)")
        }
        if request.allocation == .misses, !(request.missesWeight >= 1) { throw DesignError("--misses-weight must be at least 1") }
        if let guess = request.neymanGuess, !(guess > 0 && guess < 1) { throw DesignError("--guess must lie strictly between 0 and 1") }

        // Strata: members in dataset order, strata in key order.
        var members: [String: [Int]] = [:]
        var keys: [String: [String: String]] = [:]
        for position in judged {
            let item = dataset.items[position]
            var key: [String: String] = [:]
            for field in request.strata { key[field.rawValue] = field.value(of: item) }
            let label = Self.label(fields: request.strata) { key[$0.rawValue] ?? "" }
            members[label, default: []].append(position)
            keys[label] = key
        }
        let labels = members.keys.sorted()
        let populations = labels.map { members[$0]?.count ?? 0 }
        let weights = try labels.enumerated().map { index, label in
            try weight(label: label, key: keys[label] ?? [:], population: populations[index], request: request)
        }
        let sizes = try allocate(request.size, populations: populations, weights: weights, minimum: request.minPerStratum)

        var random = SplitMix64(seed: request.seed)
        var strata: [Stratum] = []
        var drawn: [SampledItem] = []
        for (index, label) in labels.enumerated() {
            var pool = members[label] ?? []
            let take = sizes[index]
            // The first `take` places become a uniform sample without replacement.
            random.drawPrefix(&pool, count: take)
            let probability = populations[index] > 0 ? Double(take) / Double(populations[index]) : 0
            strata.append(Stratum(key: keys[label] ?? [:], population: populations[index], sampled: take, probability: probability))
            drawn += pool.prefix(take).sorted().map {
                SampledItem(id: dataset.items[$0].id, stratum: index, probability: probability)
            }
        }
        return ValidationSample(
            seed: request.seed, size: request.size, strataFields: request.strata, allocation: request.allocation,
            minPerStratum: request.minPerStratum,
            missesWeight: request.allocation == .misses ? request.missesWeight : nil,
            neymanGuess: request.allocation == .neyman ? request.neymanGuess : nil,
            drawnAt: now, population: judged.count, strata: strata, items: drawn)
    }

    /// A stratum's share of the sample before rounding.
    private static func weight(label: String, key: [String: String], population: Int, request: Request) throws -> Double {
        let size = Double(population)
        switch request.allocation {
        case .proportional: return size
        case .equal: return population > 0 ? 1 : 0
        case .misses:
            let acute = key["condition"].map { AcuteRisk.rank(of: $0) != nil } ?? false
            return key["verdict"] == "appropriate" && acute ? size * request.missesWeight : size
        case .neyman:
            let rate: Double
            if let pilot = request.pilotRates[label], pilot.labels > 0 {
                rate = pilot.rate
            } else if let guess = request.neymanGuess {
                rate = guess
            } else {
                throw DesignError("--allocation neyman: stratum \(label) has no pilot labels; give --guess RATE (the rate of inappropriate responses expected there)")
            }
            // A rate of exactly 0 or 1 from a small pilot would drop the stratum; keep a floor of spread.
            let bounded = min(max(rate, 0.02), 0.98)
            return size * (bounded * (1 - bounded)).squareRoot()
        }
    }

    /// Sizes by stratum summing to `total`: each gets at least `minimum` (or its whole population), the rest
    /// goes by weight with largest remainders, never above a stratum's population.
    static func allocate(_ total: Int, populations: [Int], weights: [Double], minimum: Int) throws -> [Int] {
        var sizes = populations.map { min($0, minimum) }
        var left = total - sizes.reduce(0, +)
        guard left >= 0 else {
            throw DesignError("--min-per-stratum \(minimum) over \(populations.count) strata needs \(total - left) items, more than --size \(total)")
        }
        while left > 0 {
            let open = populations.indices.filter { sizes[$0] < populations[$0] && weights[$0] > 0 }
            guard !open.isEmpty else {
                let fallback = populations.indices.filter { sizes[$0] < populations[$0] }
                guard let first = fallback.first else { break }
                sizes[first] += 1
                left -= 1
                continue
            }
            let weightSum = open.reduce(0) { $0 + weights[$1] }
            var shares = open.map { (index: $0, exact: Double(left) * weights[$0] / weightSum) }
            var given = 0
            for share in shares {
                let whole = min(Int(share.exact.rounded(.down)), populations[share.index] - sizes[share.index])
                sizes[share.index] += whole
                given += whole
            }
            if given == 0 {
                // Largest remainders, then key order, one item each.
                shares.sort { $0.exact - $0.exact.rounded(.down) > $1.exact - $1.exact.rounded(.down) || ($0.exact - $0.exact.rounded(.down) == $1.exact - $1.exact.rounded(.down) && $0.index < $1.index) }
                for share in shares where given < left && sizes[share.index] < populations[share.index] {
                    sizes[share.index] += 1
                    given += 1
                }
            }
            left -= given
        }
        return sizes
    }

    // MARK: the file

    /// The sample file of a study.
    public static func url(in study: Study) -> URL { study.folder.appendingPathComponent(fileName) }

    /// The study's sample, nil when none was drawn; a malformed file is a one-line error naming it.
    public static func load(from study: Study) throws -> ValidationSample? {
        let url = url(in: study)
        guard SafeFile.exists(url.path) else { return nil }
        let data = try SafeFile.read(url.path)
        let sample: ValidationSample
        do {
            sample = try StudyFiles.decoder.decode(ValidationSample.self, from: data)
        } catch {
            throw InputError(file: url.path, line: 1, "not a sample file: \(JSONLines.describe(error))")
        }
        if let problem = sample.problem() { throw InputError(file: url.path, line: 1, problem) }
        return sample
    }

    /// What a hand-edited file holds that `draw` would never write, as one line; nil when it is consistent.
    public func problem() -> String? {
        guard schema >= 1 else { return "schema \(schema) is not a schema of this file" }
        guard schema <= 1 else { return "schema \(schema) is newer than this build reads (1); update judge-review" }
        guard size >= 0, minPerStratum >= 0, population >= 0 else { return "size, min_per_stratum and population must not be negative" }
        guard !strataFields.isEmpty || strata.count <= 1 else { return "strata without strata_fields" }
        for (index, stratum) in strata.enumerated() {
            guard stratum.population >= 0, stratum.sampled >= 0, stratum.sampled <= stratum.population else {
                return "stratum \(index + 1) samples \(stratum.sampled) of \(stratum.population) items"
            }
            guard stratum.sampled == 0 || (stratum.probability > 0 && stratum.probability <= 1) else {
                return "stratum \(index + 1) has inclusion probability \(stratum.probability); it must lie in (0, 1]"
            }
        }
        guard strata.reduce(0, { $0 + $1.population }) <= population || strata.isEmpty else {
            return "the strata hold more items than the population (\(population))"
        }
        var ids: Set<String> = []
        var perStratum = [Int](repeating: 0, count: strata.count)
        for item in items {
            guard ids.insert(item.id).inserted else { return "item \(TextSanitizer.singleLine(item.id)) is sampled twice" }
            guard strata.indices.contains(item.stratum) else {
                return "item \(TextSanitizer.singleLine(item.id)) names stratum \(item.stratum), which the file does not have"
            }
            guard item.probability > 0, item.probability <= 1 else {
                return "item \(TextSanitizer.singleLine(item.id)) has inclusion probability \(item.probability); it must lie in (0, 1]"
            }
            perStratum[item.stratum] += 1
        }
        for (index, stratum) in strata.enumerated() where perStratum[index] != stratum.sampled {
            return "stratum \(index + 1) says \(stratum.sampled) items were sampled, the file lists \(perStratum[index])"
        }
        return nil
    }

    /// Writes the sample into the study (temporary file, fsync, rename).
    public func write(to study: Study, permissions: mode_t = FileModes.file()) throws {
        try AtomicFile.write(try StudyFiles.encoder.encode(self) + Data([0x0A]), to: Self.url(in: study), permissions: permissions)
    }

    /// The printed plan: strata with population, sample size and probability, and the total.
    public func planLines() -> [String] {
        let header = ["stratum", "population", "sampled", "probability"]
        let rows = strata.map { [$0.label(fields: strataFields), "\($0.population)", "\($0.sampled)", String(format: "%.4f", $0.probability)] }
        let total = ["total", "\(population)", "\(items.count)", ""]
        return TextTable.render(header: header, rows: rows + [total], rightAligned: [1, 2, 3], rule: true)
    }
}

/// The encoder and decoder of the study's design files: sorted keys, ISO 8601 dates.
enum StudyFiles {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
