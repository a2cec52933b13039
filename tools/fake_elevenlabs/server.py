#!/usr/bin/env python3
"""A fake ElevenLabs Sound Effects API for foley's tests and benchmarks.

Standard library only. It binds 127.0.0.1 on a free port, prints the port on
stdout (and writes it to --port-file), checks every request against the
contract foley must follow (pipeline-anchors §1), answers from a script of
responses (then a default), and records every request in a JSON log.

Checks: method POST; path /v1/sound-generation; query exactly
output_format=<one of the 21 allowed>; header xi-api-key equal to the key in
--expect-key-file; Content-Type application/json; a JSON object body with
text (non-empty string), prompt_influence (number 0-1), loop (bool), model_id
(non-empty string) and optionally duration_seconds (number 0.5-30), nothing
else. A violation is answered 400 {"detail": {"status": "fake_violation", ...}}
and recorded.

Script (--script FILE): a JSON list (or {"responses": [...]}) consumed one item
per valid request, in arrival order:
  {"status": 200, "audio": "auto"|"mp3"|"opus"|"pcm"|"garbage"|"empty",
   "cost": 123 | null, "request_id": "id" | null, "headers": {...}, "delay": s,
   "stream": {"chunk": bytes, "interval": s}}  (the body in chunks, a pause before each)
  {"status": 429, "retry_after": "7" | "<HTTP date>", "body": {...}}
  {"status": 500 | 502 | 503 | 401 | 422 | ..., "body": {...} | [...] | "text"}
  {"action": "reset"}       200 headers, half the body, then a TCP reset
  {"action": "short_body"}  Content-Length N, N/2 bytes, clean close
  {"action": "stall", "seconds": 5}  headers and a quarter of the body, then silence
When the script is empty: 200 with audio for the requested format, a
character-cost header (40/s, or 100 for automatic length) and a request-id.
"audio": "auto" picks by format: mp3_* -> the bundled 1 s MP3, opus_* -> the
bundled 1 s Ogg Opus, pcm_* -> s16le sine of the requested length (1 s for
auto), ulaw_8000 / alaw_8000 -> 8-bit samples of that length.

Log (--log FILE): JSON Lines, one object per request, written before the
answer's last byte leaves (so a client holding its answer finds its line):
  {"index", "method", "path", "query", "key_ok", "body", "response",
   "violations": [...], "max_concurrency": highest concurrency seen so far}
read_log(FILE) (or `server.py --summarize FILE`) folds it into
  {"requests": [...], "max_concurrency": n, "violation_count": n}.
The key itself is never written to the log.

Clients (--record-clients FILE): for every POST, while the client still waits
for its answer, the process holding the client end of the connection is found
(/proc/net/tcp gives the socket's inode, /proc/<pid>/fd the process) and one
JSON line {"pid", "cwd", "cmdline"} is appended: the tests read the argv of
the very process that made each request.
"""

import argparse
import functools
import json
import math
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALLOWED_FORMATS = [
    "mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128",
    "mp3_44100_192", "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_32000", "pcm_44100",
    "pcm_48000", "ulaw_8000", "alaw_8000", "opus_48000_32", "opus_48000_64", "opus_48000_96",
    "opus_48000_128", "opus_48000_192",
]
BODY_FIELDS = {"text", "duration_seconds", "prompt_influence", "loop", "model_id"}
HERE = os.path.dirname(os.path.abspath(__file__))


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_body(raw):
    """Returns (parsed body or None, list of violations)."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return None, ["body is not JSON: %s" % e]
    if not isinstance(body, dict):
        return body, ["body is not a JSON object"]
    v = []
    for k in sorted(set(body) - BODY_FIELDS):
        v.append("unexpected body field %r" % k)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        v.append("text must be a non-empty string")
    if "duration_seconds" in body:
        d = body["duration_seconds"]
        if not is_number(d) or not (0.5 <= d <= 30):
            v.append("duration_seconds must be a number from 0.5 to 30, got %r" % (d,))
    pi = body.get("prompt_influence")
    if not is_number(pi) or not (0 <= pi <= 1):
        v.append("prompt_influence must be a number from 0 to 1, got %r" % (pi,))
    if not isinstance(body.get("loop"), bool):
        v.append("loop must be a bool, got %r" % (body.get("loop"),))
    mid = body.get("model_id")
    if not isinstance(mid, str) or not mid:
        v.append("model_id must be a non-empty string, got %r" % (mid,))
    return body, v


@functools.lru_cache(maxsize=64)
def sine_s16le(rate, seconds):
    # Cached: built sample by sample it took ~5 ms of GIL a request at 16 kHz,
    # so "answers after a fixed delay" was delay + 5 ms, serialised across threads.
    n = max(1, int(round(rate * seconds)))
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n))


@functools.lru_cache(maxsize=64)
def companded_bytes(n):
    return bytes((i * 37) & 0xFF for i in range(n))


def client_process(client_port, server_port):
    """{"pid", "cwd", "cmdline"} of the local process whose TCP socket has
    local port client_port and remote port server_port, or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(local.rsplit(":", 1)[1], 16) == client_port and int(remote.rsplit(":", 1)[1], 16) == server_port:
                inodes.add("socket:[%s]" % inode)
    if not inodes:
        return None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir("/proc/%s/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)) not in inodes:
                    continue
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
                return {"pid": int(pid), "cwd": os.readlink("/proc/%s/cwd" % pid), "cmdline": cmdline}
            except OSError:
                continue
    return None


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.script = []
        if args.script:
            with open(args.script) as f:
                s = json.load(f)
            self.script = list(s["responses"] if isinstance(s, dict) else s)
        self.expected_key = None
        if args.expect_key_file:
            with open(args.expect_key_file) as f:
                self.expected_key = f.read().strip()
        self.log = open(args.log, "w") if args.log else None
        self.delay = args.delay
        self.clients = open(args.record_clients, "a") if args.record_clients else None
        self.requests = []
        self.active = 0
        self.max_concurrency = 0
        self.counter = 0
        with open(os.path.join(HERE, "sine_1s_44100.mp3"), "rb") as f:
            self.mp3 = f.read()
        with open(os.path.join(HERE, "sine_1s_48000.opus"), "rb") as f:
            self.opus = f.read()

    def next_response(self):
        with self.lock:
            self.counter += 1
            return self.counter, (self.script.pop(0) if self.script else None)

    def enter(self):
        with self.lock:
            self.active += 1
            self.max_concurrency = max(self.max_concurrency, self.active)

    def leave(self, record):
        with self.lock:
            self.active -= 1
            record["index"] = len(self.requests)
            record["max_concurrency"] = self.max_concurrency
            self.requests.append(record)
            if self.log:
                # One line per request, appended and flushed: cheap at any length,
                # and a reader never sees a half line unless it races the write.
                self.log.write(json.dumps(record) + "\n")
                self.log.flush()

    def audio_for(self, kind, fmt, duration):
        seconds = duration if is_number(duration) else 1.0
        if kind == "auto":
            kind = fmt.split("_")[0]
        if kind == "mp3":
            return self.mp3
        if kind == "opus":
            return self.opus
        if kind == "pcm":
            rate = int(fmt.split("_")[1]) if fmt.startswith("pcm_") else 16000
            return sine_s16le(rate, seconds)
        if kind in ("ulaw", "alaw"):
            return companded_bytes(int(8000 * seconds))
        if kind == "garbage":
            return b"this is not audio at all " * 40
        if kind == "empty":
            return b""
        raise ValueError("unknown audio kind %r" % kind)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; on a kept-alive connection
    # Nagle's algorithm would hold the body back for the client's delayed ACK.
    disable_nagle_algorithm = True
    server_version = "fake-elevenlabs/1"
    rec = None  # this request's log entry until it is recorded

    def log_message(self, fmt, *args):  # quiet: tests read the JSON log instead
        pass

    def _record(self):
        # The log entry is written before the answer's last byte leaves, so a
        # client that has its answer always finds its request in the log.
        if self.rec is not None:
            rec, self.rec = self.rec, None
            now = time.perf_counter()
            if getattr(self, "t0", None) is not None:
                # Time from the request's headers being read to its answer
                # leaving: the configured delay plus this server's own cost.
                rec["handle_ms"] = round((now - self.t0) * 1000.0, 3)
            if getattr(self, "t_request", None) is not None:
                # From the request line read (headers parsed too) on.
                rec["request_ms"] = round((now - self.t_request) * 1000.0, 3)
            self.server.state.leave(rec)

    def parse_request(self):
        self.t_request = time.perf_counter()
        return super().parse_request()

    def _send(self, status, body, headers=None, content_type="application/json", stream=None):
        # Complete answers keep the connection open (HTTP/1.1), as the real
        # service does; a client may send its next request on it.
        if not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode()
        self._record()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        if stream:
            # A slow answer: what a client shows while the audio comes in.
            chunk = max(1, int(stream.get("chunk", 16384)))
            for at in range(0, len(body), chunk):
                time.sleep(float(stream.get("interval", 0.1)))
                self.wfile.write(body[at:at + chunk])
                self.wfile.flush()
            return
        self.wfile.write(body)
        self.wfile.flush()

    def _partial(self, body, fraction, headers):
        self._record()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for k, v in headers.items():
            self.send_header(k, str(v))
        self.end_headers()
        self.wfile.write(body[: max(1, int(len(body) * fraction))])
        self.wfile.flush()
        self.close_connection = True

    def do_GET(self):
        self._reject_method()

    def do_PUT(self):
        self._reject_method()

    def _reject_method(self):
        st = self.server.state
        st.enter()
        self.rec = {"method": self.command, "path": self.path, "query": "", "key_ok": False, "body": None,
                    "response": "400", "violations": ["method %s is not POST" % self.command]}
        self._send(400, {"detail": {"status": "fake_violation", "message": self.rec["violations"][0]}})

    def do_POST(self):
        self.t0 = time.perf_counter()
        st = self.server.state
        st.enter()
        if st.clients:
            client = client_process(self.client_address[1], self.server.server_address[1])
            with st.lock:
                st.clients.write(json.dumps(client or {"pid": None, "cwd": None, "cmdline": None}) + "\n")
                st.clients.flush()
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        violations = []
        if url.path != "/v1/sound-generation":
            violations.append("path %r is not /v1/sound-generation" % url.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        fmt = None
        if set(query) != {"output_format"} or len(query["output_format"]) != 1:
            violations.append("query %r is not exactly output_format=<format>" % url.query)
        else:
            fmt = query["output_format"][0]
            if fmt not in ALLOWED_FORMATS:
                violations.append("output_format %r is not allowed" % fmt)
        key = self.headers.get("xi-api-key")
        key_ok = key is not None and (st.expected_key is None or key == st.expected_key)
        if not key_ok:
            violations.append("xi-api-key header missing or not the expected key")
        if self.headers.get("Authorization") is not None:
            violations.append("unexpected Authorization header")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != "application/json":
            violations.append("Content-Type %r is not application/json" % ctype)
        body, body_violations = check_body(raw)
        violations += body_violations
        rec = {"method": "POST", "path": url.path, "query": url.query, "key_ok": key_ok, "body": body,
               "response": None, "violations": violations}
        self.rec = rec
        try:
            if violations:
                rec["response"] = "400"
                self._send(400, {"detail": {"status": "fake_violation", "message": "; ".join(violations)}})
                return
            self._answer(st, rec, fmt, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a stall it detected); the entry is already logged
        finally:
            self._record()

    def _answer(self, st, rec, fmt, body):
        n, item = st.next_response()
        item = dict(item or {"status": 200, "audio": "auto"})
        delay = item.get("delay", st.delay)
        if delay:
            time.sleep(delay)
        duration = body.get("duration_seconds")
        action = item.get("action")
        default_cost = 40 * duration if is_number(duration) else 100
        headers = {"request-id": "req-%d" % n}
        if action in ("reset", "short_body", "stall"):
            audio = st.audio_for("auto", fmt, duration)
            rec["response"] = action
            if action == "reset":
                self._partial(audio, 0.5, headers)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            elif action == "short_body":
                self._partial(audio, 0.5, headers)
            else:
                self._partial(audio, 0.25, headers)
                time.sleep(float(item.get("seconds", 5)))
            return
        status = int(item.get("status", 200))
        rec["response"] = str(status)
        if status == 200:
            audio = st.audio_for(item.get("audio", "auto"), fmt, duration)
            rid = item.get("request_id", headers["request-id"])
            headers = {} if rid is None else {"request-id": rid}
            cost = item.get("cost", default_cost)
            if cost is not None:
                headers["character-cost"] = cost
            headers.update(item.get("headers", {}))
            self._send(200, audio, headers, "audio/mpeg" if fmt.startswith("mp3") else "application/octet-stream",
                       item.get("stream"))
            return
        if "retry_after" in item:
            headers["Retry-After"] = item["retry_after"]
        headers.update(item.get("headers", {}))
        err = item.get("body", {"detail": {"status": "error_%d" % status, "message": "scripted %d" % status}})
        if isinstance(err, str):
            self._send(status, err.encode(), headers, "text/plain")
        else:
            self._send(status, err, headers)


def read_log(path):
    """Folds a JSON Lines request log into one summary object."""
    requests = []
    with open(path) as f:
        for line in f:
            if line.endswith("\n"):
                requests.append(json.loads(line))
    return {
        "requests": requests,
        "max_concurrency": max([r["max_concurrency"] for r in requests] or [0]),
        "violation_count": sum(len(r["violations"]) for r in requests),
    }


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # listen() backlog: the benchmark opens many connections at once


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--expect-key-file", help="file holding the xi-api-key every request must carry")
    p.add_argument("--script", help="JSON list of scripted responses")
    p.add_argument("--log", help="JSON request log, rewritten after every request")
    p.add_argument("--port-file", help="also write the port here (atomically)")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each answer")
    p.add_argument("--record-clients", metavar="FILE", help="append the pid, cwd and argv of each request's client")
    p.add_argument("--summarize", metavar="LOG", help="print the summary of a request log and exit")
    args = p.parse_args()
    if args.summarize:
        print(json.dumps(read_log(args.summarize)))
        return

    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(args)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
