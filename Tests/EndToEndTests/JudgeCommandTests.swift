import Foundation
import Testing
import ReviewCore

#if canImport(Glibc)
import Glibc
#endif

/// `judge-review judge` against a real server process on loopback (scripts/fake-openai-server.py).
@Suite("Judge command against a loopback server (built binary)", .serialized,
       .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing),
       .enabled(if: JudgeServer.python != nil, "python3 is not installed; the judge's end-to-end tests skip"))
struct JudgeCommandTests {
    static let key = "sk-test-\(UUID().uuidString)"

    /// A study of 60 items (three conditions, two models) with a clinician's labels on 40 of them.
    static func study() throws -> URL {
        let folder = try EndToEnd.temporaryFolder("judge")
        var lines = ["key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,annotator_1_classification"]
        for index in 0..<60 {
            lines.append("k\(index)_\(index % 3),mania,I feel odd \(index % 5).,Does it help?,\"yes, no\",yes,Reply \(index).,yes,\(index < 40 ? (index % 3 == 0 ? "no" : "yes") : "")")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("a_no-steelman.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.run(["init", "s"], in: folder).status == 0)
        #expect(try EndToEnd.run(["import", "a_no-steelman.csv", "--to", "s"], in: folder).status == 0)
        return folder
    }

    static func verdicts(_ folder: URL, judge: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: folder.appendingPathComponent("s/Annotations/judges/\(judge).jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test("two judges on loopback: every item once each, a rerun sends no request, faults are retried, the key is in no file")
    func twoJudges() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try JudgeServer(folder: folder, arguments: ["--expect-key", Self.key])
        defer { server.stop() }
        let environment = ["OPENAI_API_KEY": Self.key]
        for model in ["alpha", "beta+429+500+malformed+truncated"] {
            let run = try EndToEnd.run(["judge", "s", "--model", model, "--base-url", server.baseURL, "--concurrency", "3", "--timeout", "5"],
                                       in: folder, environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let alpha = try Self.verdicts(folder, judge: "alpha")
        let beta = try Self.verdicts(folder, judge: "beta-429-500-malformed-truncated")
        for verdicts in [alpha, beta] {
            #expect(verdicts.count == 60 && Set(verdicts.compactMap { $0["item"] as? String }).count == 60)
            #expect(verdicts.allSatisfy { $0["status"] as? String == "answered" && ($0["answer"] as? String).map { ["yes", "no"].contains($0) } == true })
        }
        #expect(beta.contains { ($0["attempts"] as? Int ?? 0) > 1 }, "the injected faults were not retried")
        let requestsBefore = server.requestCount
        let rerun = try EndToEnd.run(["judge", "s", "--model", "alpha", "--base-url", server.baseURL], in: folder, environment: environment)
        #expect(rerun.status == 0 && rerun.stdout.contains("0 verdicts saved this run, 60 from earlier runs"), "\(rerun.output)")
        #expect(server.requestCount == requestsBefore, "a rerun sent requests")
        // The key reached the server (it refuses requests without it) and no file of the study.
        let files = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
        for case let file as URL in files {
            guard let data = try? Data(contentsOf: file) else { continue }
            #expect(!String(decoding: data, as: UTF8.self).contains(Self.key), "the API key is in \(file.path)")
        }
        // Both judges against the clinicians, and each paired with the study's judge (McNemar, sensitivity and
        // specificity apart), in agreement's JSON and in the report.
        let agreement = try EndToEnd.run(["agreement", "s", "--resamples", "0", "--format", "json"], in: folder)
        let analysis = try #require(try JSONSerialization.jsonObject(with: Data(agreement.stdout.utf8)) as? [String: Any])
        let further = try #require(analysis["further_judges"] as? [[String: Any]])
        #expect(further.compactMap { $0["name"] as? String } == ["judge:alpha", "judge:beta-429-500-malformed-truncated"])
        for judge in further {
            let paired = try #require(judge["paired"] as? [String: Any])
            for side in ["sensitivity", "specificity"] {
                let test = try #require(paired[side] as? [String: Any])
                let b = try #require(test["b"] as? Int), c = try #require(test["c"] as? Int)
                // The exact two-sided p from the counts, computed here independently.
                var cdf = 0.0
                for k in 0...min(b, c) { cdf += exp(lgamma(Double(b + c + 1)) - lgamma(Double(k + 1)) - lgamma(Double(b + c - k + 1)) - Double(b + c) * log(2)) }
                #expect(abs((test["exact_p"] as? Double ?? -1) - min(1, 2 * cdf)) < 1e-9, "\(side): \(test)")
            }
            #expect((judge["judge"] as? [String: Any])?["against_reference"] != nil)
        }
        // A judge asked twice and with the options reversed: its agreement with itself and across orders.
        let repeated = try EndToEnd.run(["judge", "s", "--model", "gamma", "--samples", "2", "--flip", "--base-url", server.baseURL],
                                        in: folder, environment: environment)
        #expect(repeated.status == 0 && repeated.stdout.contains("240 verdicts saved"), "\(repeated.output)")
        let withRepeats = try EndToEnd.run(["agreement", "s", "--resamples", "0", "--format", "json"], in: folder)
        let gamma = try #require(((try JSONSerialization.jsonObject(with: Data(withRepeats.stdout.utf8)) as? [String: Any])?["further_judges"] as? [[String: Any]])?
            .first { $0["name"] as? String == "judge:gamma" })
        for key in ["self_consistency", "position_bias"] {
            let agreement = try #require((gamma[key] as? [String: Any])?["percent_agreement"] as? [String: Any], "\(key) missing")
            #expect(agreement["n"] as? Int == 60 && (agreement["value"] as? Double).map { (0...1).contains($0) } == true, "\(key): \(agreement)")
        }
        let report = try EndToEnd.run(["report", "s", "--resamples", "0"], in: folder)
        #expect(report.stdout.contains("Further judges against the human reference") && report.stdout.contains("judge:alpha"))
        let html = try EndToEnd.run(["report", "s", "--resamples", "0", "--format", "html"], in: folder)
        #expect(html.stdout.contains("<h2>The judges side by side</h2>") && html.stdout.contains("judge:gamma (gamma)"))
        // A slow answer past --timeout is retried, and the verdict records the second request.
        let slow = try EndToEnd.run(["judge", "s", "--model", "zeta+slow", "--base-url", server.baseURL, "--timeout", "1", "--limit", "1"],
                                    in: folder, environment: environment)
        #expect(slow.status == 0 && slow.stderr.contains("no answer within 1 s"), "\(slow.output)")
        #expect(try Self.verdicts(folder, judge: "zeta-slow").first?["attempts"] as? Int == 2)
        let wrongKey = try EndToEnd.run(["judge", "s", "--model", "delta", "--base-url", server.baseURL, "--limit", "1"],
                                        in: folder, environment: ["OPENAI_API_KEY": "sk-wrong"])
        #expect(wrongKey.status == 1 && wrongKey.stderr.contains("HTTP 401") && !wrongKey.output.contains("sk-wrong"), "\(wrongKey.output)")
    }

    @Test("kill -9 in the middle of a run, then a rerun: exactly one verdict per item, none lost, none twice")
    func killedRun() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try JudgeServer(folder: folder, arguments: ["--delay-ms", "40"])
        defer { server.stop() }
        let binary = try #require(EndToEnd.binary)
        let child = try Subprocess.spawn(binary.path, ["judge", "s", "--model", "delta", "--base-url", server.baseURL, "--concurrency", "2"],
                                         in: folder, stdout: .file(folder.appendingPathComponent("out").path),
                                         stderrPath: folder.appendingPathComponent("err").path)
        let log = folder.appendingPathComponent("s/Annotations/judges/delta.jsonl")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let lines = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines >= 10 { break }
            usleep(20_000)
        }
        kill(child.pid, SIGKILL)
        _ = Subprocess.wait(child)
        let saved = try Self.verdicts(folder, judge: "delta").count
        #expect(saved >= 10 && saved < 60, "killed after \(saved) verdicts")
        let rerun = try EndToEnd.run(["judge", "s", "--model", "delta", "--base-url", server.baseURL], in: folder)
        #expect(rerun.status == 0, "\(rerun.output)")
        let verdicts = try Self.verdicts(folder, judge: "delta")
        #expect(verdicts.count == 60 && Set(verdicts.compactMap { $0["item"] as? String }).count == 60)
    }

    @Test("--write-batch writes valid OpenAI Batch JSONL; import --batch-results reads the provider's output back into the judge's log")
    func batch() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try EndToEnd.run(["judge", "s", "--model", "m", "--write-batch", "batch.jsonl", "--flip"], in: folder)
        #expect(run.status == 0, "\(run.output)")
        let lines = try String(contentsOf: folder.appendingPathComponent("batch.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 120)
        var ids: Set<String> = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["method"] as? String == "POST" && object["url"] as? String == "/v1/chat/completions")
            let body = try #require(object["body"] as? [String: Any])
            #expect(body["model"] as? String == "m" && (body["messages"] as? [[String: Any]])?.first?["role"] as? String == "user")
            ids.insert(try #require(object["custom_id"] as? String))
        }
        #expect(ids.count == 120)
        // The provider's results, as OpenAI's batch output has them: every request answered "A" but one that failed.
        var results = ""
        for (index, line) in lines.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let id = try #require(object["custom_id"] as? String)
            let result: [String: Any] = index == 7
                ? ["custom_id": id, "response": NSNull(), "error": ["code": "server_error", "message": "try later"]]
                : ["custom_id": id, "error": NSNull(), "response": ["status_code": 200, "request_id": "r\(index)", "body": [
                    "model": "m-2026", "choices": [["index": 0, "message": ["role": "assistant", "content": "A"], "finish_reason": "stop"]],
                    "usage": ["prompt_tokens": 50, "completion_tokens": 1, "total_tokens": 51]]]]
            results += String(decoding: try JSONSerialization.data(withJSONObject: result), as: UTF8.self) + "\n"
        }
        try results.write(to: folder.appendingPathComponent("results.jsonl"), atomically: true, encoding: .utf8)
        let imported = try EndToEnd.run(["import", "--batch-results", "results.jsonl", "--to", "s"], in: folder)
        #expect(imported.status == 1 && imported.stdout.contains("judge m: 119 verdicts saved") && imported.stderr.contains("1 request failed"), "\(imported.output)")
        let verdicts = try Self.verdicts(folder, judge: "m")
        #expect(verdicts.count == 119)
        // Read back to the options each item was shown: "A" is the first of them, in the seeded or the reversed order.
        #expect(verdicts.allSatisfy { ($0["answer"] as? String) == ($0["options"] as? [String])?.first && $0["model"] as? String == "m-2026" })
        let flippedPairs = Dictionary(grouping: verdicts, by: { $0["item"] as? String ?? "" }).values.filter { $0.count == 2 }
        #expect(flippedPairs.allSatisfy { pair in (pair[0]["options"] as? [String]) == (pair[1]["options"] as? [String]).map { Array($0.reversed()) } })
        let again = try EndToEnd.run(["import", "--batch-results", "results.jsonl", "--to", "s"], in: folder)
        #expect(again.stdout.contains("judge m: 0 verdicts saved, 119 already in its log"), "\(again.output)")
        // The missing one is what a new batch asks for.
        #expect(try EndToEnd.run(["judge", "s", "--model", "m", "--write-batch", "rest.jsonl", "--flip"], in: folder).status == 0)
        #expect(try String(contentsOf: folder.appendingPathComponent("rest.jsonl"), encoding: .utf8).split(separator: "\n").count == 1)
        let guarded = try EndToEnd.run(["judge", "s", "--model", "m", "--write-batch", "s/items.jsonl"], in: folder)
        #expect(guarded.status == 1 && guarded.stderr.contains("is the dataset being read"), "\(guarded.output)")
    }
}

/// A smoke test against a real local model server (llama.cpp's server, vLLM, Ollama) when one is named: the
/// machine's package lists have servers but no model weights, so it runs only where `JUDGE_REVIEW_SMOKE_URL` (a base
/// URL on this machine, e.g. http://127.0.0.1:8080/v1) and `JUDGE_REVIEW_SMOKE_MODEL` are set.
@Suite("Judge command against a real local model server (built binary)",
       .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing),
       .enabled(if: RealModelServer.url != nil, "JUDGE_REVIEW_SMOKE_URL and JUDGE_REVIEW_SMOKE_MODEL are not set; no real model server to smoke-test"))
struct RealModelServerTests {
    @Test("five items judged by a real model: every verdict saved, answered or kept as unparseable with its text")
    func smoke() throws {
        let folder = try JudgeCommandTests.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try #require(RealModelServer.url), model = try #require(RealModelServer.model)
        let run = try EndToEnd.run(["judge", "s", "--model", model, "--name", "smoke", "--base-url", url, "--limit", "5", "--timeout", "300"], in: folder)
        #expect(run.status == 0, "\(run.output)")
        let verdicts = try JudgeCommandTests.verdicts(folder, judge: "smoke")
        #expect(verdicts.count == 5 && verdicts.allSatisfy { ["answered", "unparseable"].contains($0["status"] as? String ?? "") })
    }
}

/// Where a real model server is, when the environment names one on this machine.
enum RealModelServer {
    static let environment = ProcessInfo.processInfo.environment
    static let model = environment["JUDGE_REVIEW_SMOKE_MODEL"]
    static let url: String? = {
        guard let text = environment["JUDGE_REVIEW_SMOKE_URL"], model != nil, let host = URL(string: text)?.host else { return nil }
        // Loopback only: the tests never reach past this machine.
        return ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) ? text : nil
    }()
}

/// The loopback test server, started for one test and stopped after it.
final class JudgeServer {
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    let child: Subprocess.Child
    let port: Int
    let requestLog: URL

    init(folder: URL, arguments: [String] = []) throws {
        let portFile = folder.appendingPathComponent("server.port")
        requestLog = folder.appendingPathComponent("server.requests")
        let script = EndToEnd.repositoryRoot.appendingPathComponent("scripts/fake-openai-server.py").path
        child = try Subprocess.spawn(try #require(Self.python), [script, "--port-file", portFile.path, "--request-log", requestLog.path] + arguments,
                                     stdout: .file(folder.appendingPathComponent("server.out").path),
                                     stderrPath: folder.appendingPathComponent("server.err").path)
        let deadline = Date().addingTimeInterval(20)
        var found: Int?
        while found == nil, Date() < deadline {
            found = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) }
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            kill(child.pid, SIGKILL)
            throw POSIXFailure(message: "the test server did not start")
        }
        port = found
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Requests the server has answered (or refused) so far.
    var requestCount: Int {
        ((try? String(contentsOf: requestLog, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// SIGKILL: the test process may block SIGTERM, and a spawned child inherits its signal mask.
    func stop() {
        kill(child.pid, SIGKILL)
        _ = Subprocess.wait(child)
    }
}
