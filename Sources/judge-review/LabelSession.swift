import ArgumentParser
import Foundation
import ReviewCore
import ReviewConsole
import ReviewUI
import TerminalBackend

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line error for the label and demo commands (ArgumentParser prints it and exits non-zero).
struct LabelCommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Everything a label session needs, from the command line.
struct LabelSessionOptions {
    var dataset: Dataset
    var rater: String
    var mode: ReviewMode
    var order: OrderSettings.Kind?
    /// The study's default order, for a rater with no order of their own yet.
    var studyOrder: OrderSettings.Kind = .file
    var seed: UInt64?
    var annotationsFolder: URL
    /// The study, whose log replay cache spares reading a long log whole (nil outside a study).
    var study: Study? = nil
    var hideAppropriate: Bool
    var groupReadable: Bool
    /// Breaks, the daily cap, content notices and whether to run the practice round.
    var session: SessionProtocol = .off
    /// The rater's queue from the study's assignment, as dataset positions; nil when the study assigns none.
    var assigned: AssignedOrder? = nil
}

/// Opens the rater's log, sets up the order, runs the console and prints the summary.
enum LabelSession {
    static func run(_ options: LabelSessionOptions) throws {
        if let problem = RaterName.problem(with: options.rater) { throw UsageError(option: "--rater", problem) }
        // Option mistakes first, so they are reported even where there is no terminal.
        if options.assigned == nil {
            _ = try OrderSettings.resolve(order: options.order, seed: options.seed, stored: nil, randomSeed: { 1 })
        }
        // Check for a terminal before touching any file: a pipe or CI run gets one clear line.
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw LabelCommandError(ConsoleLoopError.notATerminal.description)
        }
        let folder = options.annotationsFolder
        let logFile = StudyLayout.logFile(folder: folder, rater: options.rater)
        let log: RaterLog
        do {
            log = try RaterLog(folder: folder, rater: options.rater, options: try StoreOptions(groupReadable: options.groupReadable).withWriter(in: folder),
                               cache: options.study.map { ($0, options.dataset) })
        } catch let error as InputError {
            throw error
        } catch let error as StoreError {
            // Already one line naming the file (e.g. "…: already open in process 123; … close the other session first").
            throw LabelCommandError(error.description)
        } catch {
            throw LabelCommandError("\(logFile.path): cannot open the annotation log: \(error)")
        }
        defer { log.close() }
        // Repairs made at open (a torn last line set aside) are shown after the console, where they stay readable.
        defer { for warning in log.warnings { CommandOutput.warning(warning) } }

        let order: [Int]
        let orderSummary: String
        if let assigned = options.assigned {
            order = assigned.positions
            orderSummary = "the study's assignment (\(order.count) items, seed \(assigned.seed))"
        } else {
            let settingsFile = OrderSettings.url(folder: folder, rater: options.rater)
            let stored = try OrderSettings.load(from: settingsFile)
            let settings = try OrderSettings.resolve(
                order: options.order ?? (stored == nil && options.studyOrder == .shuffled ? .shuffled : nil), seed: options.seed, stored: stored,
                randomSeed: SeedArgument.drawn)
            if settings != stored {
                do { try settings.write(to: settingsFile, groupReadable: options.groupReadable) } catch {
                    throw LabelCommandError("\(settingsFile.path): cannot save the order settings: \(error)")
                }
            }
            order = ItemOrder.positions(count: options.dataset.items.count, shuffledWithSeed: settings.order == "shuffled" ? settings.seed : nil)
            orderSummary = settings.summary
        }
        let configuration = LabelConsoleConfiguration(
            dataset: options.dataset, rater: options.rater, mode: options.mode, order: order,
            history: log.events, historyPositions: log.knownPositions, hideAppropriateAnswer: options.hideAppropriate, session: options.session,
            practice: options.session.practice ? options.assigned?.practice ?? [] : [], repeats: options.assigned?.repeats ?? [])
        var console = LabelConsole(configuration, now: Date())
        var tally = SessionTally(savedBefore: log.events.count)
        try ConsoleLoop.run(&console) { effect in
            ConsoleEffects.perform(effect, labels: log, lastFailure: &tally.lastFailure)
        }
        // One last try for anything the disk refused (the console's queue is the only place it lives), now that
        // the rater has left the screen.
        let unsaved = ConsoleEffects.lastTry(console.state.writes.records, log: log.log, lastFailure: &tally.lastFailure)
        CommandOutput.line("\(tally.summary(events: log.events)) to \(logFile.path); \(orderSummary); \(console.state.session.activeText) at the keyboard")
        if let lost = tally.lostSummary(unsaved: unsaved) {
            CommandOutput.error(command: "label", lost)
            throw ExitCode.failure
        }
    }
}

