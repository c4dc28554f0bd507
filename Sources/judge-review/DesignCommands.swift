import ArgumentParser
import Foundation
import ReviewCore
import ReviewImport

/// The study a design command works on: the folder given (or around the current one), which must be a study.
private func requireStudy(_ argument: String?) throws -> Study {
    let place = try LabelPlace.resolve(argument)
    guard let study = place.study else {
        throw InputError(file: place.datasetFile.path, "sample and assign work on a study folder (made by init), not a bare dataset file")
    }
    return study
}

/// A seed drawn when none is given (printed and recorded, so the draw can be repeated).

/// `judge-review sample STUDY --size N`: a seeded stratified validation sample, recorded in `sample.json`.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw a seeded, stratified validation sample of the study's judged items (sample.json).",
        discussion: """
            Each sampled item's stratum and inclusion probability are recorded, for the estimates that weight by them. \
            A second sample is refused unless --replace. Example: judge-review sample my-study --size 120 --strata model,condition,verdict --allocation misses --seed 7
            """)

    @Argument(help: "A study folder (default: the study around the current folder).")
    var study: String?

    @Option(help: "How many items to draw.")
    var size: Int

    @Option(help: "Fields the strata are made of, comma-separated: model, condition, verdict, steelman, contextualized.")
    var strata = "model,condition,verdict"

    @Option(help: "proportional, equal, neyman (by the spread of the human verdict: from the labels so far, else --guess) or misses (judge-appropriate items on acute-risk conditions weighted up).")
    var allocation: ValidationSample.Allocation = .proportional

    @Option(help: "At least this many items from every stratum (all of a smaller one).")
    var minPerStratum = 0

    @Option(help: "For --allocation misses: how much more a judge-appropriate acute-risk item weighs.")
    var missesWeight = 3.0

    @Option(help: "For --allocation neyman: the rate of inappropriate responses expected where no labels exist yet.")
    var guess: Double?

    @Option(parsing: .unconditional, help: "Seed of the draw; without one a seed is drawn, printed and recorded.", transform: SeedArgument.parse)
    var seed: UInt64?

    @Flag(help: "Replace an existing sample (refused while an assignment is made from it).")
    var replace = false

    @Flag(help: "Let the owner's group read sample.json (0640) instead of owner only.")
    var groupReadable = false

    func run() throws {
        try CommandOutput.reportingErrors(command: "sample") {
            let study = try requireStudy(self.study)
            let options = study.storeOptions(groupReadable: groupReadable)
            let (lock, completed) = try study.lockForWriting(options: options)
            defer { lock.release() }
            if let completed { CommandOutput.warning(completed) }
            let fields = try strata.split(separator: ",").map { name -> ValidationSample.StratumField in
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let field = ValidationSample.StratumField(rawValue: trimmed) else {
                    throw UsageError(option: "--strata", "unknown field \"\(TextSanitizer.singleLine(trimmed))\" (fields: \(ValidationSample.StratumField.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return field
            }
            if let existing = try ValidationSample.load(from: study) {
                guard replace else {
                    throw InputError(file: ValidationSample.url(in: study).path, "the study already has a sample (\(existing.items.count) items, seed \(existing.seed)); give --replace to draw a new one")
                }
                if try RaterAssignment.load(from: study) != nil {
                    throw InputError(file: RaterAssignment.url(in: study).path, "raters are assigned items of the current sample; a new sample needs a new assignment (remove assignment.json once no one is labelling)")
                }
            }
            let labels = try CommandOutput.withProgress { try LabelPlace.resolve(study.folder.path).labels(strict: false, requireLogs: false, detail: .summaries) }
            let seed = self.seed ?? SeedArgument.drawn()
            let request = ValidationSample.Request(
                size: size, strata: fields, allocation: allocation, minPerStratum: minPerStratum, seed: seed,
                missesWeight: missesWeight, pilotRates: allocation == .neyman ? StudyMeasurements.pilotRates(labels: labels, fields: fields) : [:],
                neymanGuess: guess)
            let sample: ValidationSample
            do {
                sample = try ValidationSample.draw(from: labels.dataset, request)
            } catch let error as ValidationSample.DesignError {
                throw InputError(file: study.folder.path, error.description)
            }
            try sample.write(to: study, permissions: options.filePermissions)
            CommandOutput.line("sample of \(sample.items.count) from \(sample.population) judged items (those with a judge verdict, of \(labels.dataset.items.count)), \(sample.strata.count) strata (\(fields.map(\.rawValue).joined(separator: " × "))), allocation \(allocation.rawValue), seed \(seed)\(self.seed == nil ? " (drawn; give --seed \(seed) to repeat)" : "")")
            for line in sample.planLines() { CommandOutput.line(line) }
            CommandOutput.line("wrote \(ValidationSample.url(in: study).path)")
        }
    }
}

/// `judge-review assign STUDY --raters a,b,c --overlap K`: every sampled item to exactly K raters.
struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Assign the sample to raters: each item to --overlap raters, balanced, each order shuffled (assignment.json).",
        discussion: """
            With an assignment already made, give --rebalance to add raters: what anyone has labelled stays theirs. \
            Example: judge-review assign my-study --raters alice,bob,chen --overlap 2 --repeats 0.1 --seed 11
            """)

    @Argument(help: "A study folder (default: the study around the current folder).")
    var study: String?

    @Option(help: "Rater names, comma-separated.")
    var raters: String

    @Option(help: "How many raters label each item.")
    var overlap = 2

    @Option(help: "Fraction of each rater's items shown again later in their queue, unannounced (intra-rater agreement).")
    var repeats = 0.0

    @Option(help: "A CSV with columns id and answer: calibration items with known answers for a practice round.")
    var gold: String?

    @Option(parsing: .unconditional, help: "Seed of the assignment; without one a seed is drawn, printed and recorded.", transform: SeedArgument.parse)
    var seed: UInt64?

    @Flag(help: "Re-deal an existing assignment over --raters (new ones included) without moving labelled items.")
    var rebalance = false

    @Flag(help: "Let the owner's group read assignment.json (0640) instead of owner only.")
    var groupReadable = false

    func run() throws {
        try CommandOutput.reportingErrors(command: "assign") {
            let study = try requireStudy(self.study)
            let options = study.storeOptions(groupReadable: groupReadable)
            let (lock, completed) = try study.lockForWriting(options: options)
            defer { lock.release() }
            if let completed { CommandOutput.warning(completed) }
            guard let sample = try ValidationSample.load(from: study) else {
                throw InputError(file: study.folder.path, "no sample yet; draw one first: judge-review sample \(study.folder.path) --size N")
            }
            let names = raters.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let seed = self.seed ?? SeedArgument.drawn()
            let dataset = try CommandOutput.withProgress { try study.dataset() }
            var goldItems: [RaterAssignment.GoldItem] = []
            if let gold {
                goldItems = try GoldFile.read(path: gold)
                for item in goldItems {
                    guard let position = dataset.indexByID[item.id] else {
                        throw InputError(file: gold, "gold item \(TextSanitizer.singleLine(item.id)) is not in the study")
                    }
                    guard dataset.items[position].criterion.option(matching: item.answer) != nil else {
                        throw InputError(file: gold, "gold answer \"\(TextSanitizer.singleLine(item.answer))\" for \(TextSanitizer.singleLine(item.id)) is not one of its options (\(dataset.items[position].criterion.options.joined(separator: ", ")))")
                    }
                }
            }
            let existing = try RaterAssignment.load(from: study)
            let assignment: RaterAssignment
            do {
                if let existing {
                    guard rebalance else {
                        throw InputError(file: RaterAssignment.url(in: study).path, "raters are already assigned (\(existing.queues.map(\.rater).joined(separator: ", "))); give --rebalance to add raters without moving labelled items")
                    }
                    guard existing.sampleSeed == sample.seed else {
                        throw InputError(file: RaterAssignment.url(in: study).path, "the assignment was made for another sample (seed \(existing.sampleSeed))")
                    }
                    let labels = try LabelPlace.resolve(study.folder.path).labels(strict: true, requireLogs: false, detail: .summaries)
                    var labelled: [String: Set<String>] = [:]
                    for replay in labels.humanReplays {
                        labelled[replay.rater] = Set(labels.dataset.items.indices.filter { replay.current(at: $0)?.settlesItem == true }.map { labels.dataset.items[$0].id })
                    }
                    assignment = try existing.rebalanced(raters: names, labelled: labelled, seed: seed)
                } else {
                    assignment = try RaterAssignment.make(
                        items: sample.items.map(\.id), raters: names, overlap: overlap, seed: seed, repeatFraction: repeats,
                        gold: goldItems, sampleSeed: sample.seed)
                }
            } catch let error as ValidationSample.DesignError {
                throw InputError(file: study.folder.path, error.description)
            }
            try assignment.write(to: study, permissions: options.filePermissions)
            let perItem = assignment.ratersPerItem
            CommandOutput.line("\(perItem.count) items to \(assignment.queues.count) raters, \(assignment.overlap) each, seed \(seed)\(self.seed == nil ? " (drawn; give --seed \(seed) to repeat)" : "")")
            let rows = assignment.queues.map { ["\($0.rater)", "\($0.items.count)", "\($0.repeats.count)", "\($0.gold.count)"] }
            for line in TextTable.render(header: ["rater", "items", "repeats", "gold"], rows: rows, rightAligned: [1, 2, 3], rule: true) {
                CommandOutput.line(line)
            }
            CommandOutput.line("wrote \(RaterAssignment.url(in: study).path)")
        }
    }
}

extension ValidationSample.Allocation: ExpressibleByArgument {}
