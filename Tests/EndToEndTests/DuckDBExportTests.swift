import Foundation
import Testing

/// `export --duckdb DIR` loaded by DuckDB itself (the `duckdb` Python package in the virtual environment `.ci/run`
/// makes): the script loads every table, writes Parquet, and its views give agreement's percent agreement and the
/// label counts.
@Suite("export --duckdb, loaded by DuckDB (built binary)", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct DuckDBExportTests {
    static let python = EndToEnd.repositoryRoot.appendingPathComponent(".build-duckdb/venv/bin/python").path
    static var available: Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        return (try? Subprocess.run(python, ["-c", "import duckdb"]).status) == 0
    }

    @Test("the load reproduces percent agreement (clinicians and the study's judge) and each clinician's label count; texts come back byte for byte; every table has its Parquet",
          .enabled(if: DuckDBExportTests.available, "no .build-duckdb/venv with duckdb (.ci/run makes it); skipping the DuckDB load"))
    func loadReproducesAgreement() throws {
        let folder = try EndToEnd.temporaryFolder("duckdb")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Three clinicians (one with gaps), a judge, 40 items over 8 stimuli; awkward texts in some responses.
        var lines = ["key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,annotator_1_classification,annotator_2_classification,annotator_3_classification"]
        for index in 0..<40 {
            let response = index == 3 ? "\"=SUM(A1), with \"\"quotes\"\"\nand a second line\"" : index == 4 ? "\"- a list, 'single'\"" : "Reply \(index)."
            let a1 = index % 3 == 0 ? "yes" : "no"
            let a2 = index % 4 == 0 ? "yes" : "no"
            let a3 = index % 5 == 0 ? "" : index % 2 == 0 ? "yes" : "no"
            lines.append("k\(index),mania,Stimulus \(index % 8).,Does it help?,\"yes, no\",no,\(response),\(index % 6 == 0 ? "yes" : "no"),\(a1),\(a2),\(a3)")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("m_no-steelman.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.run(["init", "s"], in: folder).status == 0)
        #expect(try EndToEnd.run(["import", "m_no-steelman.csv", "--to", "s"], in: folder).status == 0)
        #expect(try EndToEnd.run(["sample", "s", "--size", "12", "--seed", "5"], in: folder).status == 0)
        let export = try EndToEnd.run(["export", "s", "--duckdb", "out"], in: folder)
        #expect(export.status == 0, "\(export.output)")
        #expect(export.stdout.contains("items 40, labels 112, decisions 0, judge_answers 0"), "\(export.output)")
        let agreement = try EndToEnd.run(["agreement", "s", "--format", "json"], in: folder)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(agreement.stdout.utf8)) as? [String: Any])
        let overall = try #require(json["overall"] as? [String: Any])
        let percent = try #require((overall["percent_agreement"] as? [String: Any])?["value"] as? Double)

        let script = """
            import duckdb, json, sys
            con = duckdb.connect()
            con.execute(open('load.sql').read())
            result = {
              'percent': con.execute('select percent_agreement, items from percent_agreement').fetchone(),
              'counts': con.execute('select rater, labels from label_counts').fetchall(),
              'parquet': [con.execute(f"select count(*) from read_parquet('{t}.parquet')").fetchone()[0] for t in ['items', 'labels', 'decisions', 'judge_answers']],
              'response3': con.execute("select response from items where item = 'm/k3'").fetchone()[0],
              'response4': con.execute("select response from items where item = 'm/k4'").fetchone()[0],
              'sampled': con.execute('select count(*) from items where inclusion_probability is not null').fetchone()[0],
            }
            json.dump(result, sys.stdout)
            """
        let loaded = try Subprocess.run(Self.python, ["-c", script], in: folder.appendingPathComponent("out"))
        #expect(loaded.status == 0, "\(loaded.output)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(loaded.stdout.utf8)) as? [String: Any])
        let sql = try #require(result["percent"] as? [Any])
        #expect(abs((sql[0] as? Double ?? .nan) - percent) < 1e-12, "DuckDB \(sql) against the tool's \(percent)")
        #expect(sql[1] as? Int == 40)
        let counts = try #require(result["counts"] as? [[Any]])
        #expect(counts.map { "\($0[0]) \($0[1])" } == ["annotator_1 40", "annotator_2 40", "annotator_3 32"])
        #expect(result["parquet"] as? [Int] == [40, 112, 0, 0])
        #expect(result["response3"] as? String == "=SUM(A1), with \"quotes\"\nand a second line")
        #expect(result["response4"] as? String == "- a list, 'single'")
        #expect(result["sampled"] as? Int == 12, "the sampled items carry their inclusion probability")
        // The status counts the same labels.
        let status = try EndToEnd.run(["status", "s"], in: folder).stdout
        for (rater, count) in [("annotator_1", 40), ("annotator_2", 40), ("annotator_3", 32)] {
            #expect(status.contains(try Regex("\(rater) +\(count)/40")), "\(status)")
        }
    }
}
