import Foundation

/// The subject model's name and run settings for a file, from its run folder or its name unless overridden.
public struct SubjectSettings: Equatable, Sendable {
    /// The subject model's name, e.g. `gpt-4o` or `live-bot:noni`.
    public var model: String
    /// Whether the steel-man therapist prompt was on; nil when the file name does not say.
    public var steelman: Bool?
    /// Whether the model saw a therapy transcript before the stimulus; nil when unknown.
    public var contextualized: Bool?
    /// The run's day, `YYYY-MM-DD`; nil when unknown.
    public var runDate: String?
    /// The run folder the settings came from; nil when they came from the file name or the command line.
    public var runFolder: RunFolder?

    /// Settings given explicitly.
    public init(model: String, steelman: Bool?, contextualized: Bool? = nil, runDate: String? = nil, runFolder: RunFolder? = nil) {
        self.model = model
        self.steelman = steelman
        self.contextualized = contextualized
        self.runDate = runDate
        self.runFolder = runFolder
    }

    /// A file's settings: from the paper repository's run folder around it when there is one (the files in a run
    /// folder are named by date, not model), else from its name.
    public static func forFile(_ path: String, stimulusIDLayout: Bool) throws -> SubjectSettings {
        if let run = try RunFolder.enclosing(path) {
            return SubjectSettings(model: run.model, steelman: run.steelman, contextualized: run.contextualized,
                                   runDate: run.date, runFolder: run)
        }
        return fromFileName(path, stimulusIDLayout: stimulusIDLayout)
    }

    /// Reads the paper's file-name convention: `<model>_<setting>...`, e.g. `gpt-4o_no-steelman.jsonl` is
    /// gpt-4o without the steel-man prompt, `gpt-4o_classification_validation.csv` is gpt-4o (setting unknown).
    /// Live-bot and therapist files name a bot and its persona: `live-bot_noni.csv` is `live-bot:noni`.
    public static func fromFileName(_ path: String, stimulusIDLayout: Bool) -> SubjectSettings {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let parts = stem.split(separator: "_").map(String.init)
        var steelman: Bool?
        var nameParts: [String] = []
        for part in parts {
            switch part.lowercased() {
            case "no-steelman", "nosteelman", "no-steel-man": steelman = false
            case "steelman", "steel-man": steelman = true
            default: nameParts.append(part)
            }
        }
        let model: String
        if stimulusIDLayout {
            model = nameParts.isEmpty ? stem : nameParts.joined(separator: ":")
        } else {
            model = nameParts.first ?? stem
        }
        return SubjectSettings(model: model, steelman: steelman)
    }

    /// These settings with the command line's `--model` / `--steelman` applied.
    public func overridden(model: String?, steelman: Bool?) -> SubjectSettings {
        SubjectSettings(model: model ?? self.model, steelman: steelman ?? self.steelman,
                        contextualized: contextualized, runDate: runDate, runFolder: runFolder)
    }
}
