import Foundation
import ReviewCore

extension ImportPlan {
    /// The text `judge-review import` prints: files and layouts, item counts with and without a judge
    /// verdict, human label columns, id prefixes, skipped rows and cells, and where everything was written.
    public func summary(outcome: ImportOutcome) -> String {
        var lines: [String] = []
        lines.append("Read \(files.count) file\(files.count == 1 ? "" : "s"):")
        for file in files {
            var details = ["\(file.items) items"]
            if let subject = file.subject {
                var settings = ["model \(TextSanitizer.singleLine(subject.model))"]
                settings.append(subject.steelman.map { $0 ? "steel-man on" : "steel-man off" } ?? "steel-man unknown")
                if let contextualized = subject.contextualized {
                    settings.append(contextualized ? "transcript context" : "no transcript context")
                }
                if let day = subject.runDate { settings.append("run of \(day)") }
                if subject.runFolder != nil { settings.append("from its run folder") }
                details.append(settings.joined(separator: ", "))
            }
            if case .paperRows(let columns) = file.layout {
                if columns.isCombined { details.append("rows of several runs, each row's model in \(columns.participantColumn ?? "")") }
                details.append(columns.judgeName.map { "judge \($0)" } ?? "no judge column")
            }
            lines.append("  \(file.path): \(file.layout.displayName); \(details.joined(separator: "; "))")
        }
        let total = dataset.items.count
        let counts = judgeCounts
        let itemsWithVerdict = counts.withVerdict, itemsWithMissingJudgeAnswer = counts.missingAnswer
        let itemsWithUnknownJudgeAnswer = counts.unknownAnswer, itemsWithoutJudge = counts.withoutJudge
        lines.append("Items: \(total) read, \(itemsWithVerdict) with a judge verdict, \(total - itemsWithVerdict) without")
        if total - itemsWithVerdict > 0 {
            var reasons: [String] = []
            if itemsWithMissingJudgeAnswer > 0 { reasons.append("\(itemsWithMissingJudgeAnswer) with no judge answer") }
            if itemsWithUnknownJudgeAnswer > 0 { reasons.append("\(itemsWithUnknownJudgeAnswer) with a judge answer that is not an option") }
            if itemsWithoutJudge > 0 { reasons.append("\(itemsWithoutJudge) from files without a judge column") }
            if counts.offScale > 0 { reasons.append("\(counts.offScale) with an option that is no verdict (off the scale, or a question no rate counts)") }
            lines.append("  without a verdict: \(reasons.joined(separator: ", "))")
        }
        let missingResponses = dataset.items.filter { $0.response == nil }.count
        if missingResponses > 0 { lines.append("  \(missingResponses) with no response (shown as missing)") }
        if raters.isEmpty {
            lines.append("Human label columns: none")
        } else {
            lines.append("Human label columns: \(raters.count)")
            for rater in raters {
                lines.append("  \(rater.columns.joined(separator: ", ")) -> rater \(rater.rater): \(rater.labelCount) labels")
            }
        }
        if duplicates.isEmpty {
            lines.append("Duplicates merged: none")
        } else {
            let total = duplicates.reduce(0) { $0 + $1.count }
            lines.append("Duplicates merged: \(total) (the same response met again is one item; human columns attach to it)")
            for repeats in duplicates {
                lines.append("  \(repeats.file): \(repeats.count) already read from \(repeats.firstIn.joined(separator: ", "))")
            }
        }
        var stigmaQuestions: [String: CriterionScale] = [:]
        for item in dataset.items where item.experiment == .stigma { stigmaQuestions[item.criterion.question] = item.criterion.scale }
        if !stigmaQuestions.isEmpty {
            let scored = stigmaQuestions.values.filter { !$0.inappropriate.isEmpty }
            let low = scored.filter { $0.inappropriate.first == $0.ordered.first }.count
            lines.append("Stigma questions: \(scored.count) of \(stigmaQuestions.count) scored (\(low) with the lower half of the scale stigmatizing, \(scored.count - low) the upper), by \(request.stigmaCoding?.name ?? StigmaCoding.paperNotebook.name)\(scored.isEmpty ? "; give --stigma-coding FILE to score some" : "")")
        }
        for combined in combinedFiles {
            let matched = combined.participants.reduce(0) { $0 + $1.matched }, own = combined.participants.reduce(0) { $0 + $1.own }
            lines.append("Combined file \(combined.file): \(matched) row\(matched == 1 ? "" : "s") repeat a run's item (merged into it), \(own) \(own == 1 ? "is an item" : "are items") of \(own == 1 ? "its" : "their") own")
            for participant in combined.participants {
                let run = participant.model.map { "model \(TextSanitizer.singleLine($0))" + (participant.settings.map { ", \($0)" } ?? "") } ?? "no run matched"
                lines.append("  \(TextSanitizer.singleLine(participant.name)) -> \(run): \(participant.matched) repeated, \(participant.own) of its own")
            }
        }
        if !changedLabelled.isEmpty {
            lines.append("Changed items that were labelled: \(changedLabelled.count) (the labels are of the old content; relabel them, or import the old file back)")
            for change in changedLabelled.prefix(20) {
                lines.append("  \(TextSanitizer.singleLine(change.id)): labelled by \(change.raters.joined(separator: ", "))")
            }
            if changedLabelled.count > 20 { lines.append("  … and \(changedLabelled.count - 20) more") }
        }
        let prefixed = files.filter { $0.idPrefix != nil }
        if !prefixed.isEmpty {
            lines.append("Item ids: the subject model (then /steel-man when the prompt was on, /context with transcript context) before each key, whatever is imported with it:")
            for file in prefixed {
                lines.append("  \(file.path): \(file.idPrefix ?? "")/<key>")
            }
        }
        let rows = skipped.filter { $0.kind == .row }.count
        let wholeFiles = skipped.filter { $0.kind == .file }.count
        let cells = skipped.count - rows - wholeFiles
        lines.append("Skipped: \(wholeFiles > 0 ? "\(wholeFiles) file\(wholeFiles == 1 ? "" : "s"), " : "")\(rows) row\(rows == 1 ? "" : "s"), \(cells) cell\(cells == 1 ? "" : "s")")
        for note in skipped { lines.append("  \(note)") }
        lines.append("Dataset \"\(dataset.name)\": \(datasetURL.path) (\(total) items\(outcome.replacedExistingDataset ? ", replaced the previous file" : "")\(outcome.datasetUnchanged ? ", unchanged" : ""))")
        if outcome.logs.isEmpty {
            lines.append("Label logs: none written")
        } else {
            lines.append("Label logs in \(annotationFolder.path):")
            for log in outcome.logs {
                let repeated = log.labels - log.appended
                var details: [String] = []
                if log.rebased > 0 {
                    details.append("\(log.rebased) re-based: the item changed since it was labelled, so its label is recorded again for the new content")
                }
                if repeated > 0 { details.append("\(repeated) already there") }
                lines.append("  \(log.file.lastPathComponent): \(log.appended) new events" + (details.isEmpty ? "" : " (\(details.joined(separator: "; ")))"))
            }
        }
        return lines.joined(separator: "\n")
    }
}
