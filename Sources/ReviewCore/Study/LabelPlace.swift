import Foundation

/// Where a command's items and labels are: the one rule every command uses to go from its argument to a
/// dataset and an annotation folder, so that `status`, `label`, `agreement`, `adjudicate` and `export` see the
/// same labels from any folder.
///
/// - No argument: the study that holds the current folder (walking up, as git finds its repository).
/// - A study folder, or any path inside one: that study (`items.jsonl`, `Annotations/`).
/// - A dataset file outside a study: the nearest `Annotations/<name>/` found walking up from the *dataset's*
///   folder, else `Annotations/<name>/` beside the dataset. Never the current folder.
/// - `--annotations DIR` overrides the annotation folder.
public struct LabelPlace: Sendable {
    /// The dataset file (a study's `items.jsonl`).
    public var datasetFile: URL
    /// The folder of the rater logs.
    public var annotationFolder: URL
    /// The study, when the argument is or lies in one.
    public var study: Study?
    /// Where else was looked for labels, for messages when there are none.
    public var searched: [URL]
    /// Set when the labels were found where versions before the study kept them (under the current folder).
    public var legacyNote: String?
    /// Set when the study had an interrupted write (a killed import) that resolving it completed: what was done.
    public var completedWrite: String?
    /// The study's settings, read once when the place was resolved (nil outside a study, or when they could not
    /// be read: `dataset()` then reads them again and says why).
    public var studySettings: StudySettings?

    /// Resolves a command's argument (and `--annotations`) to a dataset and its labels' folder.
    public static func resolve(_ argument: String?, annotations: String? = nil,
                               currentFolder: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)) throws -> LabelPlace {
        let override = annotations.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
        guard let argument else {
            guard let study = Study.find(from: currentFolder) else {
                throw InputError(file: currentFolder.path, "not inside a study (no \(Study.settingsFileName) here or in any folder above); give a study folder or a dataset file, or run judge-review init DIR")
            }
            return try LabelPlace(study: study, override: override)
        }
        let base = URL(fileURLWithPath: currentFolder.path, isDirectory: true)
        let url = URL(fileURLWithPath: argument, relativeTo: base).absoluteURL.standardizedFileURL
        if let study = Study.find(from: url), FileKind.ofPath(url.path) == .folder || isInside(url, study: study) {
            return try LabelPlace(study: study, override: override)
        }
        if FileKind.ofPath(url.path) == .folder {
            throw InputError(file: argument, "is a folder but not a study (no \(Study.settingsFileName) in it or above it); give a dataset .jsonl file or a study folder")
        }
        let name = Dataset.name(for: url)
        var searched: [URL] = []
        var folder = url.deletingLastPathComponent()
        while true {
            let candidate = folder.appendingPathComponent(Study.annotationsFolderName, isDirectory: true).appendingPathComponent(name, isDirectory: true)
            searched.append(candidate)
            if FileKind.ofPath(candidate.path) == .folder {
                return LabelPlace(datasetFile: url, annotationFolder: override ?? candidate, study: nil, searched: searched)
            }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        let beside = url.deletingLastPathComponent().appendingPathComponent(Study.annotationsFolderName, isDirectory: true)
            .appendingPathComponent(name, isDirectory: true)
        // Earlier versions kept a dataset's labels in Annotations/<name>/ under the current folder: found there,
        // they are used (and the way to keep them with the dataset is said), never lost from view.
        let legacy = currentFolder.standardizedFileURL.appendingPathComponent(Study.annotationsFolderName, isDirectory: true)
            .appendingPathComponent(name, isDirectory: true)
        if override == nil, FileKind.ofPath(legacy.path) == .folder, !((try? CurrentLabels.raterLogFiles(folder: legacy)) ?? []).isEmpty {
            var place = LabelPlace(datasetFile: url, annotationFolder: legacy, study: nil, searched: searched)
            place.legacyNote = "labels found in \(legacy.path), where earlier versions kept them (under the current folder); "
                + "move that folder to \(beside.path) to keep them with the dataset"
            return place
        }
        return LabelPlace(datasetFile: url, annotationFolder: override ?? beside, study: nil, searched: searched)
    }

    private init(datasetFile: URL, annotationFolder: URL, study: Study?, searched: [URL]) {
        self.datasetFile = datasetFile
        self.annotationFolder = annotationFolder
        self.study = study
        self.searched = searched
    }

    /// A study's place; an interrupted write of the study is completed first (`StudyJournal`).
    private init(study: Study, override: URL?) throws {
        self.init(datasetFile: study.itemsFile, annotationFolder: override ?? study.annotationFolder, study: study,
                  searched: [study.annotationFolder])
        studySettings = try? study.settings()
        completedWrite = try StudyJournal.completeUnfinished(study, options: studySettings?.storeOptions() ?? StoreOptions())
        AtomicFile.removeLeftovers(in: study.folder)
    }

    /// Whether `url` is a file of the study's (its items, settings or anything under its folder that is not
    /// another dataset): a dataset file that merely sits in a study's subfolder keeps the dataset rule.
    private static func isInside(_ url: URL, study: Study) -> Bool {
        let path = url.path
        if path == study.itemsFile.path || path == study.settingsFile.path { return true }
        return path.hasPrefix(study.annotationFolder.path + "/") || path == study.annotationFolder.path
    }

    /// How a command that appends labels, decisions or verdicts here writes: the study's file modes (or
    /// `groupReadable`), and this copy's writer recorded on every line (its id made on first use).
    public func writingOptions(groupReadable: Bool) throws -> StoreOptions {
        try (study?.storeOptions(groupReadable: groupReadable) ?? StoreOptions(groupReadable: groupReadable)).withWriter(in: annotationFolder)
    }

    /// The dataset at this place (a study's items, named after the study); `detail` as for `StudyIndex`.
    public func dataset(detail: StudyIndex.Detail = .texts) throws -> Dataset {
        if let study { return try study.dataset(settings: studySettings ?? study.settings(), detail: detail) }
        return try Dataset.read(from: datasetFile)
    }

    /// The dataset and its labels here, read once.
    ///
    /// - Parameters:
    ///   - strict: as for `StudyLabels.load` (false for `status`, which shows unreadable logs instead of failing).
    ///   - requireLogs: no rater log at all is an error saying where it looked (export, agreement, adjudicate).
    ///   - detail: `.summaries` when no item's texts are needed (counts, coefficients, rates, label exports).
    public func labels(strict: Bool = true, requireLogs: Bool = true, detail: StudyIndex.Detail = .texts) throws -> StudyLabels {
        let labels = try StudyLabels.load(folder: annotationFolder, dataset: try dataset(detail: detail), strict: strict, study: study)
        if requireLogs && labels.logs.isEmpty { throw noLabelsError() }
        return labels
    }

    /// The labels for an analysis (agreement, report): a judged dataset no clinician has labelled yet is analysed
    /// for its judge alone (the judge-reported rates: the stigma share a parser gives, a judge before validation),
    /// with `warning` saying so and where it looked; a dataset with neither, or a label folder given explicitly
    /// (`explicitFolder`) that holds no log, is the error that says where it looked.
    public func labelsForAnalysis(explicitFolder: Bool = false) throws -> (labels: StudyLabels, warning: String?) {
        let labels = try labels(requireLogs: false, detail: .summaries)
        guard labels.logs.isEmpty else { return (labels, nil) }
        if explicitFolder || !labels.dataset.items.contains(where: { $0.judge != nil }) { throw noLabelsError() }
        return (labels, noLabelsError().message + ": the judge's own rates alone")
    }

    /// The line every command prints: which dataset, and where its labels are.
    public var description: String {
        if let study { return "study \(study.folder.path): labels in \(annotationFolder.path)" }
        return "dataset \(datasetFile.path): labels in \(annotationFolder.path)"
    }

    /// The error for a command that needs labels and finds none: where it looked.
    public func noLabelsError() -> InputError {
        let places = ([annotationFolder] + searched).map(\.path)
        var unique: [String] = []
        for place in places where !unique.contains(place) { unique.append(place) }
        return InputError(file: datasetFile.path, "no rater logs for this dataset; looked in \(unique.joined(separator: ", "))")
    }
}
