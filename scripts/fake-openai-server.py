#!/usr/bin/env python3
"""A small OpenAI-compatible chat completions server for the tests (standard library only, loopback only).

Usage: fake-openai-server.py --port-file FILE [--request-log FILE] [--delay-ms N] [--expect-key KEY]

It writes the port it listens on to --port-file, then answers POST .../chat/completions:
- the verdict is deterministic: a hash of the model and the message picks one of the "- (X): ..." options;
- a model whose name contains "+429", "+500", "+malformed", "+slow" or "+truncated" gets that fault on the first
  request for each message (429 with Retry-After: 0; a 500; a body that is not JSON; an answer after 3 s; a body
  cut short), and a normal answer after; a model containing "words" answers in words (no option letter);
- with --expect-key, a request without "Authorization: Bearer KEY" gets 401;
- every request is appended to --request-log as "<model>\t<sha256 of the message>".
"""
import argparse
import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SEEN = set()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--request-log")
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--expect-key")
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def reply(self, status, body, headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers:
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if not self.path.endswith("/chat/completions"):
                return self.reply(404, {"error": {"message": "no such path"}})
            if args.expect_key and self.headers.get("Authorization") != "Bearer " + args.expect_key:
                return self.reply(401, {"error": {"message": "bad key"}})
            try:
                body = json.loads(raw)
                model = body["model"]
                message = body["messages"][-1]["content"]
            except Exception:
                return self.reply(400, {"error": {"message": "bad request"}})
            digest = hashlib.sha256(message.encode()).hexdigest()
            with LOCK:
                if args.request_log:
                    with open(args.request_log, "a") as log:
                        log.write(f"{model}\t{digest}\n")
                first = (model, digest) not in SEEN
                SEEN.add((model, digest))
            if args.delay_ms:
                time.sleep(args.delay_ms / 1000)
            if first and "+429" in model:
                return self.reply(429, {"error": {"message": "slow down"}}, [("Retry-After", "0")])
            if first and "+500" in model:
                return self.reply(500, {"error": {"message": "overloaded"}})
            if first and "+malformed" in model:
                return self.reply(200, b"{not json")
            if first and "+slow" in model:
                time.sleep(3)
            letters = re.findall(r"^- \(([A-Z])\):", message, re.M)
            pick = int(hashlib.sha256((model + message).encode()).hexdigest(), 16) % max(1, len(letters))
            text = "I would rather not say." if "words" in model else (letters[pick] if letters else "A")
            answer = {
                "id": "cmpl-" + digest[:12], "object": "chat.completion", "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": len(message.split()), "completion_tokens": 1, "total_tokens": len(message.split()) + 1},
            }
            if first and "+truncated" in model:
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
                return
            return self.reply(200, answer)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            # A client killed mid-request (the tests' kill -9) is expected, not an error to print.
            pass

    server = Server(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as out:
        out.write(str(server.server_address[1]))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
