import Foundation
import ReviewCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What one chat completion returned.
public struct ChatCompletion: Sendable, Equatable {
    /// The answer's text (`choices[0].message.content`).
    public var text: String
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Milliseconds of the request that answered.
    public var ms: Int
    /// Requests sent (retries included).
    public var attempts: Int
}

/// Why a request gave no completion, after every retry.
public struct ChatCompletionError: Error, CustomStringConvertible, Sendable {
    /// One line: the endpoint, what went wrong and after how many requests (the key masked).
    public var description: String
}

/// An OpenAI-compatible chat completions client (`POST {base}/chat/completions`): OpenAI, Together, vLLM,
/// llama.cpp and Ollama speak it. It talks only to the base URL it is given; the API key goes in the
/// `Authorization` header and nowhere else (every message it returns has the key masked, in case a server echoes it).
///
/// Retries a 429 (after its `Retry-After`, else with backoff), a 5xx, a body that is not a completion, a timeout or
/// a dropped connection, up to `maxAttempts` requests, and says so through `onRetry`; any other status (401, 404, a
/// 400 for an unknown model) is an error at once.
public final class ChatCompletionsClient: @unchecked Sendable {
    /// `<base>/chat/completions`, the only address this client sends to.
    public let endpoint: URL
    private let apiKey: String?
    private let timeout: TimeInterval
    private let maxAttempts: Int
    private let session: URLSession
    /// Told of each retry: the attempt that failed and why.
    private let onRetry: @Sendable (String) -> Void
    /// The wait before retry `n` (1-based) when the server names none: `base · 2^(n−1)`, at most 30 s.
    private let backoffBase: TimeInterval

    /// A client for `baseURL` (for example `http://127.0.0.1:8000/v1`); the key, if any, from the environment.
    public init(baseURL: URL, apiKey: String?, timeout: TimeInterval = 60, maxAttempts: Int = 6, backoffBase: TimeInterval = 1,
                onRetry: @escaping @Sendable (String) -> Void = { _ in }) {
        endpoint = baseURL.appendingPathComponent("chat").appendingPathComponent("completions")
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
        self.maxAttempts = max(1, maxAttempts)
        self.backoffBase = backoffBase
        self.onRetry = onRetry
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    /// The request body: one user message, the model and the sampling settings.
    public static func body(model: String, message: String, temperature: Double, maxTokens: Int, seed: UInt64?) throws -> Data {
        var object: [String: Any] = [
            "model": model,
            "messages": [["role": "user", "content": message]],
            "temperature": temperature,
            "max_tokens": maxTokens,
        ]
        if let seed { object["seed"] = seed }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// Sends one request (with retries) and returns the completion; blocks the calling thread.
    public func complete(model: String, message: String, temperature: Double, maxTokens: Int, seed: UInt64?) throws -> ChatCompletion {
        let body = try Self.body(model: model, message: message, temperature: temperature, maxTokens: maxTokens, seed: seed)
        var attempt = 0
        while true {
            attempt += 1
            let started = Date()
            let outcome = send(body)
            let ms = Int((Date().timeIntervalSince(started) * 1000).rounded())
            switch outcome {
            case .success(let (status, headers, data)):
                if status == 200, let completion = Self.parse(data, ms: ms, attempts: attempt) { return completion }
                // A 200 whose body is not a completion (a proxy's page, a cut body) is retried like a 5xx.
                let retryable = status == 200 || status == 429 || (500...599).contains(status)
                let why = status == 200 ? "the answer is not a chat completion\(Self.snippet(data).map { ": " + $0 } ?? "")"
                    : "HTTP \(status)\(Self.snippet(data).map { ": " + $0 } ?? "")"
                guard retryable, attempt < maxAttempts else { throw failure("\(why) (after \(attempt) request\(attempt == 1 ? "" : "s"))") }
                let wait = status == 429 ? (Self.retryAfter(headers) ?? backoff(attempt)) : backoff(attempt)
                onRetry(masked("\(why); retrying in \(String(format: "%.1f", wait)) s (attempt \(attempt + 1) of \(maxAttempts))"))
                Thread.sleep(forTimeInterval: wait)
            case .failure(let error):
                guard attempt < maxAttempts else { throw failure("\(error) (after \(attempt) requests)") }
                let wait = backoff(attempt)
                onRetry(masked("\(error); retrying in \(String(format: "%.1f", wait)) s (attempt \(attempt + 1) of \(maxAttempts))"))
                Thread.sleep(forTimeInterval: wait)
            }
        }
    }

    private func backoff(_ attempt: Int) -> TimeInterval {
        min(30, backoffBase * pow(2, Double(attempt - 1)))
    }

    /// One request: its status, headers and body, or why none came.
    private func send(_ body: Data) -> Result<(Int, [String: String], Data), ChatCompletionError> {
        var request = URLRequest(url: endpoint, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { request.setValue("Bearer " + apiKey, forHTTPHeaderField: "Authorization") }
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            box.set(data: data, response: response, error: error)
            done.signal()
        }
        task.resume()
        done.wait()
        let (data, response, error) = box.get()
        if let error {
            let nsError = error as NSError
            let why = nsError.code == NSURLErrorTimedOut ? "no answer within \(Int(timeout)) s" : "request failed: \(nsError.localizedDescription)"
            return .failure(ChatCompletionError(description: masked(why)))
        }
        guard let http = response as? HTTPURLResponse else { return .failure(ChatCompletionError(description: "no HTTP response")) }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
        return .success((http.statusCode, headers, data ?? Data()))
    }

    /// The completion in a 200 body (`choices[0].message.content` and `usage`), or nil when it is not one.
    public static func parse(_ data: Data, ms: Int, attempts: Int) -> ChatCompletion? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let choices = object["choices"] as? [[String: Any]], let first = choices.first,
              let message = first["message"] as? [String: Any] else { return nil }
        let text = message["content"] as? String ?? ""
        let usage = object["usage"] as? [String: Any]
        return ChatCompletion(text: text, promptTokens: usage?["prompt_tokens"] as? Int, completionTokens: usage?["completion_tokens"] as? Int,
                              ms: ms, attempts: attempts)
    }

    private func failure(_ text: String) -> ChatCompletionError {
        ChatCompletionError(description: masked("\(endpoint.absoluteString): \(text)"))
    }

    /// `text` with the API key masked.
    private func masked(_ text: String) -> String {
        guard let apiKey else { return text }
        return text.replacingOccurrences(of: apiKey, with: "[api key]")
    }

    /// `Retry-After` in seconds (at most 120), when the server gives a number.
    static func retryAfter(_ headers: [String: String]) -> TimeInterval? {
        headers["retry-after"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }.map { min(120, max(0, $0)) }
    }

    /// The start of a body, on one line and sanitised, for error messages.
    static func snippet(_ data: Data) -> String? {
        guard !data.isEmpty else { return nil }
        let text = TextSanitizer.singleLine(String(decoding: data.prefix(200), as: UTF8.self))
        return data.count > 200 ? text + "…" : text
    }
}

/// Hands a data task's result from URLSession's queue to the waiting thread.
private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var response: URLResponse?
    private var error: (any Error)?

    func set(data: Data?, response: URLResponse?, error: (any Error)?) {
        lock.withLock {
            self.data = data
            self.response = response
            self.error = error
        }
    }

    func get() -> (Data?, URLResponse?, (any Error)?) {
        lock.withLock { (data, response, error) }
    }
}
