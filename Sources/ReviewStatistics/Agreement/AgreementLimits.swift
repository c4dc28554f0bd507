import Foundation

/// The documented limits of the agreement engine, enforced with an error, never by a crash or a hang.
///
/// The costly parts grow with categories² (every pair's table and weights), with pairs of raters, and with
/// resamples; the limits keep the worst accepted input within seconds and a bounded amount of memory.
public enum AgreementLimits {
    /// Distinct categories in one table (a 0–100 scale fits; free text does not).
    public static let maximumCategories = 200
    /// Raters (columns) in one ratings table.
    public static let maximumRaters = 1_000
    /// Above this many raters the per-pair section is left out (with a note): pairs grow as raters².
    public static let maximumRatersForPairs = 30
    /// Bootstrap resamples per interval.
    public static let maximumResamples = 100_000

    /// The longest bootstrap accepted, in estimated seconds on this project's reference machine (2 cores).
    public static let maximumBootstrapSeconds = 60.0

    /// The bootstrap's estimated time for a table: each pair's resample costs about (q + 1)² + 450 steps of
    /// 40 ns (measured: 30 raters × 5 categories, and 5 raters × 200 categories, 1000 resamples), and the
    /// overall coefficients about one step per rating.
    public static func bootstrapSeconds(raters: Int, categories: Int, items: Int, resamples: Int, pairs: Bool) -> Double {
        let pairCount = pairs && raters <= maximumRatersForPairs ? Double(raters * (raters - 1) / 2) : (raters == 2 ? 1 : 0)
        let perPair = Double((categories + 1) * (categories + 1) + 450)
        let overall = Double(items) * Double(raters) * 0.05 + Double(categories * categories)
        return Double(resamples) * (pairCount * perPair + overall) * 40e-9
    }

    /// Why this bootstrap is refused (with the largest `--resamples` that would be accepted), or nil.
    public static func bootstrapProblem(raters: Int, categories: Int, items: Int, resamples: Int, pairs: Bool = true) -> String? {
        let seconds = bootstrapSeconds(raters: raters, categories: categories, items: items, resamples: resamples, pairs: pairs)
        guard seconds > maximumBootstrapSeconds else { return nil }
        let fitting = Int(Double(resamples) * maximumBootstrapSeconds / seconds)
        return "the bootstrap would take about \(Int(seconds.rounded())) s (\(resamples) resamples, \(raters) raters, \(categories) categories; "
            + "at most \(Int(maximumBootstrapSeconds)) s are allowed): pass --resamples \(fitting) or fewer, or --resamples 0 for point estimates"
    }

    /// Why `resamples` is refused, or nil when it is within the limits.
    public static func resamplesProblem(_ resamples: Int) -> String? {
        if resamples < 0 { return "--resamples must be 0 or more" }
        if resamples > maximumResamples {
            return "--resamples \(resamples) is more than \(maximumResamples), the most judge-review draws (10,000 already gives stable 95% intervals)"
        }
        return nil
    }

    /// The error for a table with more than `maximumCategories` categories.
    public static func tooManyCategories(_ count: Int) -> String {
        "more than \(maximumCategories) distinct categories (found \(count) so far); agreement needs a small set of labels, fix the column or pass --categories"
    }
}

/// Progress of long work (the bootstrap), for a command to show on standard error when a person is watching.
///
/// The engine reports through the task-local `current`, so nothing changes for callers that do not set one.
public final class WorkProgress: @unchecked Sendable {
    /// The reporter of the work running now, if a command set one.
    @TaskLocal public static var current: WorkProgress?

    private let show: (String) -> Void
    private let started = Date()
    private var lastShown = Date.distantPast
    private var shownAny = false
    /// Seconds of work before anything is shown, so quick commands print nothing.
    private let delay: TimeInterval

    /// A reporter that calls `show` with a status line at most four times a second, after `delay` seconds.
    public init(delay: TimeInterval = 1, show: @escaping (String) -> Void) {
        self.delay = delay
        self.show = show
    }

    /// Says that `done` of `total` steps of `task` are finished.
    public func update(_ task: String, done: Int, total: Int) {
        let now = Date()
        guard now.timeIntervalSince(started) >= delay, now.timeIntervalSince(lastShown) >= 0.25 else { return }
        lastShown = now
        shownAny = true
        let percent = total > 0 ? 100 * done / total : 100
        show("\(task): \(done)/\(total) (\(percent)%)")
    }

    /// Whether any status line was shown (so the caller knows to clear it).
    public var didShow: Bool { shownAny }
}
