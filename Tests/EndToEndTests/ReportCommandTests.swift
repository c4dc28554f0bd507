import Foundation
import Testing
import ReviewCore

/// `judge-review report` in all four formats through the built binary, and the HTML in a real browser.
@Suite("Report command (built binary)", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct ReportCommandTests {
    /// Chromium's path, when Debian's package is installed (`.ci/run` installs it).
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A study with two models, an annotator column and a hostile condition name (invented text).
    static func study() throws -> URL {
        let folder = try EndToEnd.temporaryFolder("report")
        var lines = ["key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,annotator_1_classification"]
        let conditions = ["mania", "delusions", "<script>alert(1)</script>"]
        for index in 0..<90 {
            let judge = index % 4 == 0 ? "no" : "yes"
            let human = index % 9 == 0 ? "no" : judge
            lines.append("k\(index)_\(index % 3),\"\(conditions[index % 3])\",I feel odd \(index % 5).,Does it help?,\"yes, no\",yes,\(index % 10 == 0 ? "" : "Reply \(index).") ,\(judge),\(index < 60 ? human : "")")
        }
        let text = lines.joined(separator: "\n") + "\n"
        try text.write(to: folder.appendingPathComponent("a_no-steelman.csv"), atomically: true, encoding: .utf8)
        try text.replacingOccurrences(of: "Reply", with: "Answer").write(to: folder.appendingPathComponent("b_no-steelman.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.run(["init", "s"], in: folder).status == 0)
        let imported = try EndToEnd.run(["import", "a_no-steelman.csv", "b_no-steelman.csv", "--to", "s"], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        return folder
    }

    @Test("the same study gives the same report, byte for byte, run after run (the clustered intervals are seeded and ordered)")
    func reproducible() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The manifest's date is the run's, or SOURCE_DATE_EPOCH's when set (reproducible builds' convention).
        let fixed = ["SOURCE_DATE_EPOCH": "1780000000"]
        let first = try EndToEnd.run(["report", "s", "--format", "json", "--resamples", "20"], in: folder, environment: fixed)
        let second = try EndToEnd.run(["report", "s", "--format", "json", "--resamples", "20"], in: folder, environment: fixed)
        #expect(first.status == 0 && first.stdout == second.stdout)
    }

    /// strace's path, when installed (`.ci/run` installs it).
    static let strace: String? = ["/usr/bin/strace", "/bin/strace"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("report opens each file of the study once, and its manifest lists every one with the digest of the bytes read",
          .enabled(if: ReportCommandTests.strace != nil, "strace is not installed; the count of opened files is not checked"))
    func opensEachFileOnce() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try EndToEnd.run(["sample", "s", "--size", "40", "--seed", "3"], in: folder).status == 0)
        #expect(try EndToEnd.run(["assign", "s", "--raters", "ann,bob", "--overlap", "2", "--seed", "3"], in: folder).status == 0)
        let trace = folder.appendingPathComponent("trace").path
        let binary = try #require(EndToEnd.binary)
        let outcome = try Subprocess.run(try #require(Self.strace), ["-f", "-e", "trace=openat,open", "-o", trace, binary.path,
                                                                    "report", "s", "--format", "json", "--resamples", "20"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let study = folder.appendingPathComponent("s").standardizedFileURL.resolvingSymlinksInPath().path + "/"
        var opened: [String: Int] = [:]
        for line in try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n") where !line.contains("ENOENT") && !line.contains("O_DIRECTORY") {
            guard let start = line.firstIndex(of: "\""), let end = line[line.index(after: start)...].firstIndex(of: "\"") else { continue }
            let path = String(line[line.index(after: start)..<end])
            let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
            if resolved.hasPrefix(study), !resolved.hasSuffix(".lock") { opened[String(resolved.dropFirst(study.count)), default: 0] += 1 }
        }
        for name in ["study.json", "items.jsonl", "sample.json", "assignment.json", "Annotations/annotator_1.jsonl"] {
            #expect(opened[name] == 1, "\(name) opened \(opened[name] ?? 0) times: \(opened)")
        }
        #expect(opened.values.allSatisfy { $0 == 1 }, "\(opened)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let files = try #require((object["manifest"] as? [String: Any])?["files"] as? [[String: Any]])
        #expect(Set(files.compactMap { $0["path"] as? String }) == Set(opened.keys.filter { !$0.hasSuffix("/") && $0 != "Annotations" && $0 != "Annotations/adjudication" }))
    }

    @Test("the manifest says how the report was made: version, command, settings, date, and each file read with its SHA-256")
    func manifest() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let json = try EndToEnd.run(["report", "s", "--format", "json", "--resamples", "0", "--seed", "9"], in: folder,
                                    environment: ["SOURCE_DATE_EPOCH": "1780000000"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let manifest = try #require(object["manifest"] as? [String: Any])
        #expect(manifest["command"] as? String == "judge-review report s --format json --resamples 0 --seed 9")
        #expect(manifest["made"] as? String == "2026-05-28T20:26:40Z")
        #expect((manifest["settings"] as? [String: String])?["seed"] == "9")
        let files = try #require(manifest["files"] as? [[String: Any]])
        let items = try #require(files.first { $0["path"] as? String == "items.jsonl" })
        let data = try Data(contentsOf: folder.appendingPathComponent("s/items.jsonl"))
        #expect(items["sha256"] as? String == ContentHash.sha256Hex(data) && items["bytes"] as? Int == data.count)
        #expect(files.contains { ($0["path"] as? String)?.hasPrefix("Annotations/") == true })
        let text = try EndToEnd.run(["report", "s", "--resamples", "0"], in: folder)
        #expect(text.stdout.contains("Manifest: how this report was made") && text.stdout.contains("judge-review \(ToolVersion.current)"))
        // --check: the same study and options give the same numbers; another seed does not, and says where.
        #expect(try EndToEnd.run(["report", "s", "--format", "json", "--resamples", "20", "--output", "r.json"], in: folder).status == 0)
        let same = try EndToEnd.run(["report", "s", "--resamples", "20", "--check", "r.json"], in: folder)
        #expect(same.status == 0 && same.stdout.contains("r.json: the same numbers"), "\(same.stdout) \(same.stderr)")
        let other = try EndToEnd.run(["report", "s", "--resamples", "20", "--seed", "5", "--check", "r.json"], in: folder)
        #expect(other.status == 1 && other.stderr.contains("manifest.settings.seed: \"1\" → \"5\"")
                && other.stderr.split(separator: "\n").count == 1, "\(other.stderr)")
        let notReport = try EndToEnd.run(["report", "s", "--check", "s/study.json"], in: folder)
        #expect(notReport.status == 1 && notReport.stderr.contains("not a JSON report"), "\(notReport.stderr)")
        let version = try EndToEnd.run(["--version"], in: folder)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == ToolVersion.current)
    }

    @Test("a model run with and without the steel-man prompt gets a row per setting; a model with one setting adds no section")
    func settings() throws {
        let folder = try EndToEnd.temporaryFolder("report-settings")
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = "key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,annotator_1_classification"
        func run(_ prefix: String, judge: (Int) -> String) -> String {
            ([header] + (0..<40).map { index in
                "\(prefix)\(index)_\(index % 2),mania,I feel odd \(index % 5).,Does it help?,\"yes, no\",yes,Reply \(prefix)\(index).,\(judge(index)),\(judge(index))"
            }).joined(separator: "\n") + "\n"
        }
        // Without the prompt the judge says appropriate (yes) on 30 of 40; with it on 10 of 40; the annotator agrees.
        try run("p", judge: { $0 < 30 ? "yes" : "no" }).write(to: folder.appendingPathComponent("m_no-steelman.csv"), atomically: true, encoding: .utf8)
        try run("q", judge: { $0 < 10 ? "yes" : "no" }).write(to: folder.appendingPathComponent("m_steelman.csv"), atomically: true, encoding: .utf8)
        // A study folder named like a --by value: the report's second computation must not take it for one.
        #expect(try EndToEnd.run(["init", "condition"], in: folder).status == 0)
        let imported = try EndToEnd.run(["import", "m_no-steelman.csv", "m_steelman.csv", "--to", "condition"], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        let text = try EndToEnd.run(["report", "condition", "--resamples", "0"], in: folder)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let section = try #require(lines.firstIndex { $0.hasPrefix("Appropriate responses by model and setting") }, "\(text.stdout)")
        let rows = lines[(section + 3)...].prefix { !$0.isEmpty }
        #expect(rows.contains { $0.hasPrefix("  m · no steel-man prompt") && $0.contains("75.0%") }, "\(rows)")
        #expect(rows.contains { $0.hasPrefix("  m · steel-man prompt") && $0.contains("25.0%") }, "\(rows)")
        let json = try EndToEnd.run(["report", "condition", "--resamples", "0", "--format", "json"], in: folder)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["by_setting"] as? [[String: Any]])?.count == 2)

        let single = try Self.study()
        defer { try? FileManager.default.removeItem(at: single) }
        let plain = try EndToEnd.run(["report", "s", "--resamples", "0"], in: single)
        #expect(!plain.stdout.contains("by model and setting"))
    }

    @Test("text, markdown, json and html: the summary first, the JSON contract, one self-contained page with no script")
    func formats() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try EndToEnd.run(["report", "s", "--resamples", "50"], in: folder)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.split(separator: "\n").dropFirst(1).first?.hasPrefix("Appropriate responses by model") == true, "\(text.stdout.prefix(400))")
        let markdown = try EndToEnd.run(["report", "s", "--resamples", "0", "--format", "markdown"], in: folder)
        #expect(markdown.stdout.hasPrefix("# Judge validation report"))
        #expect(!markdown.stdout.contains("<script"), "a hostile condition name reached the markdown as raw HTML")
        #expect(markdown.stdout.contains("&lt;script&gt;"))
        let agreementMarkdown = try EndToEnd.run(["agreement", "s", "--resamples", "0", "--by", "condition", "--format", "markdown"], in: folder)
        #expect(agreementMarkdown.status == 0 && !agreementMarkdown.stdout.contains("<script"), "\(agreementMarkdown.stdout)")
        let json = try EndToEnd.run(["report", "s", "--resamples", "0", "--format", "json", "--missing-response", "inappropriate"], in: folder)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let byModel = try #require(object["by_model"] as? [[String: Any]])
        #expect(byModel.map { $0["scope"] as? String } == ["all models", "a", "b"])
        #expect(object["missing_response"] as? String == "inappropriate")
        for key in ["by_condition", "accuracy", "agreement", "reference_sources", "effort", "progress"] { #expect(object[key] != nil, "\(key)") }
        // For publication: every pair's 2×2 table (its cells add up to the pair's n) and the reporting checklist.
        let publication = try #require(object["publication"] as? [String: Any])
        let tables = try #require(publication["pair_tables"] as? [[String: Any]])
        let agreementRows = try #require(object["agreement"] as? [[String: Any]])
        for table in tables {
            let raters = (table["raters"] as? [String] ?? []).joined(separator: " × ")
            let total = (table["cells"] as? [[Int]] ?? []).joined().reduce(0, +)
            let n = agreementRows.first { $0["raters"] as? String == raters && $0["measure"] as? String == "percent_agreement" }?["n"] as? Int
            #expect(n == total, "\(raters): \(total) against \(n ?? -1)")
        }
        #expect(!tables.isEmpty && ((publication["checklist"] as? [[String: Any]])?.count ?? 0) >= 6)
        #expect(markdown.stdout.contains("Reporting checklist") && markdown.stdout.contains("2×2 table"))
        // Every note agreement's JSON gives for the same analysis (any scope, estimator, pair, comparison) is in the
        // report's text, markdown, JSON and HTML.
        let agreementJSON = try EndToEnd.run(["agreement", "s", "--resamples", "0", "--by", "condition", "--format", "json",
                                              "--missing-response", "inappropriate"], in: folder)
        let analysis = try JSONSerialization.jsonObject(with: Data(agreementJSON.stdout.utf8))
        var notes: [String] = []
        func collect(_ value: Any, noted: Bool) {
            if let text = value as? String, noted, !notes.contains(text) { notes.append(text) }
            if let array = value as? [Any] { for element in array { collect(element, noted: noted) } }
            if let object = value as? [String: Any] {
                for (key, element) in object { collect(element, noted: ["note", "notes", "reason", "statement"].contains(key)) }
            }
        }
        collect(analysis, noted: false)
        #expect(notes.count >= 5, "\(notes)")
        let htmlReport = try EndToEnd.run(["report", "s", "--resamples", "0", "--format", "html", "--missing-response", "inappropriate"], in: folder)
        let textReport = try EndToEnd.run(["report", "s", "--resamples", "0", "--missing-response", "inappropriate"], in: folder)
        let markdownReport = try EndToEnd.run(["report", "s", "--resamples", "0", "--format", "markdown", "--missing-response", "inappropriate"], in: folder)
        let jsonReport = try EndToEnd.run(["report", "s", "--resamples", "0", "--format", "json", "--missing-response", "inappropriate"], in: folder)
        let reportObject = try #require(try JSONSerialization.jsonObject(with: Data(jsonReport.stdout.utf8)) as? [String: Any])
        let reportNotes = Set(reportObject["analysis_notes"] as? [String] ?? [])
        for note in notes {
            #expect(textReport.stdout.contains(TextSanitizer.forOutput(note)), "text lacks: \(note)")
            #expect(reportNotes.contains(note), "json lacks: \(note)")
            #expect(markdownReport.stdout.contains(MarkdownText.escaped(note)), "markdown lacks: \(note)")
            #expect(htmlReport.stdout.contains(HTMLText.escaped(note)), "html lacks: \(note)")
        }
        // Model a against model b on the same stimuli, unadjusted and saying so; --adjust holm says Holm.
        let comparisons = try #require(object["comparisons"] as? [String: Any])
        #expect((comparisons["statement"] as? String)?.hasPrefix("UNADJUSTED") == true)
        #expect((comparisons["rows"] as? [[String: Any]])?.first?["first"] as? String == "a")
        let holm = try EndToEnd.run(["report", "s", "--resamples", "0", "--adjust", "holm"], in: folder)
        #expect(holm.status == 0 && holm.stdout.contains("p-values Holm-adjusted"), "\(holm.stderr)")
        let badAdjust = try EndToEnd.run(["report", "s", "--resamples", "0", "--adjust", "sidak"], in: folder)
        #expect(badAdjust.status != 0 && badAdjust.stderr.split(separator: "\n").count == 1, "\(badAdjust.stderr)")
        let html = try EndToEnd.run(["report", "s", "--resamples", "0", "--format", "html", "--output", "r.html"], in: folder)
        #expect(html.status == 0, "\(html.stderr)")
        let page = try String(contentsOf: folder.appendingPathComponent("r.html"), encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("<svg") && page.contains("<table>"))
        #expect(!page.contains("<script"), "a hostile condition name reached the page as markup")
        #expect(page.contains("&lt;script&gt;"))
        #expect(!page.contains("http://") || page.components(separatedBy: "http://").dropFirst().allSatisfy { $0.hasPrefix("www.w3.org/2000/svg") })
        // An explicit transport is named in every format; one from a model without labels is one line.
        let transported = try EndToEnd.run(["report", "s", "--resamples", "0", "--format", "json", "--transport-from", "a"], in: folder)
        #expect(transported.status == 0, "\(transported.stderr)")
        let unknown = try EndToEnd.run(["report", "s", "--resamples", "0", "--transport-from", "no-such-model"], in: folder)
        #expect(unknown.status != 0 && unknown.stderr.split(separator: "\n").count == 1
                && unknown.stderr.contains("--transport-from: model \"no-such-model\" has no judged item with a human reference"), "\(unknown.stderr)")
        let bad = try EndToEnd.run(["report", "s", "--format", "pdf"], in: folder)
        #expect(bad.status != 0 && bad.stderr.split(separator: "\n").count == 1)
        let into = try EndToEnd.run(["report", "s", "--output", "s/items.jsonl"], in: folder)
        #expect(into.status != 0, "the report overwrote the study's items")
    }

    @Test("the HTML page renders in headless Chromium at 1280 and 800 px wide to a picture that is not blank",
          .enabled(if: ReportCommandTests.chromium != nil, "chromium is not installed (.ci/run installs Debian's package); skipping the browser check"))
    func rendersInChromium() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try EndToEnd.run(["report", "s", "--resamples", "0", "--format", "html", "--output", "r.html"], in: folder).status == 0)
        try "<!DOCTYPE html><html><body></body></html>".write(to: folder.appendingPathComponent("blank.html"), atomically: true, encoding: .utf8)
        func screenshot(_ page: String, width: Int) throws -> Int {
            let png = folder.appendingPathComponent("\(page)-\(width).png")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(Self.chromium))
            process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=\(width),1400",
                                 "--user-data-dir=\(folder.appendingPathComponent("profile-\(page)-\(width)").path)",
                                 "--screenshot=\(png.path)", folder.appendingPathComponent(page).absoluteString]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let data = try Data(contentsOf: png)
            #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
            return data.count
        }
        // At a desktop's width and a narrow window's: a blank page compresses to almost nothing; text, tables and charts do not.
        for width in [1280, 800] {
            let blank = try screenshot("blank.html", width: width)
            let report = try screenshot("r.html", width: width)
            #expect(report > 5 * blank, "\(width) px: report \(report) bytes against a blank page's \(blank)")
        }
    }
}
