import Foundation

/// The subject model's name and steel-man setting for a file, from its name unless overridden.
public struct SubjectSettings: Equatable, Sendable {
    /// The subject model's name, e.g. `gpt-4o` or `live-bot:noni`.
    public var model: String
    /// Whether the steel-man therapist prompt was on; nil when the file name does not say.
    public var steelman: Bool?

    /// Settings given explicitly.
    public init(model: String, steelman: Bool?) {
        self.model = model
        self.steelman = steelman
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
        SubjectSettings(model: model ?? self.model, steelman: steelman ?? self.steelman)
    }
}
