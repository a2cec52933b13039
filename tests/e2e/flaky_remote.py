#!/usr/bin/env python3
"""A team cache remote that fails on demand, for the retry tests.

Serves GET, HEAD and PUT over a folder (the plain HTTP dialect foley speaks to
nginx's WebDAV), except that the first --fail-first requests are answered
500 Internal Server Error (before anything is read or written). Every request
is logged to --log as one JSON line {"method", "path", "status"}; the port it
listens on (127.0.0.1) is written to --port-file.

  flaky_remote.py --root DIR --port-file F --log L [--fail-first N]
"""
import argparse
import http.server
import json
import os
import threading


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail-first", type=int, default=0)
    args = ap.parse_args()
    root = os.path.realpath(args.root)
    lock = threading.Lock()
    state = {"seen": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def _local(self):
            rel = self.path.split("?", 1)[0].lstrip("/")
            p = os.path.realpath(os.path.join(root, rel))
            return p if p.startswith(root + os.sep) else None

        def _answer(self, status, body=b"", length=None):
            with lock:
                with open(args.log, "a") as f:
                    f.write(json.dumps({"method": self.command, "path": self.path, "status": status}) + "\n")
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            if self.command != "HEAD" and body:
                self.wfile.write(body)

        def _failing(self):
            with lock:
                state["seen"] += 1
                return state["seen"] <= args.fail_first

        def _serve(self):
            if self._failing():
                if self.command == "PUT":
                    self.rfile.read(int(self.headers.get("Content-Length", "0")))
                return self._answer(500, b"injected failure\n")
            p = self._local()
            if p is None:
                return self._answer(403)
            if self.command == "PUT":
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                os.makedirs(os.path.dirname(p), exist_ok=True)
                tmp = p + ".part"
                with open(tmp, "wb") as f:
                    f.write(data)
                os.replace(tmp, p)
                return self._answer(201)
            if not os.path.isfile(p):
                return self._answer(404)
            with open(p, "rb") as f:
                data = f.read()
            return self._answer(200, data)

        do_GET = do_HEAD = do_PUT = _serve

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
