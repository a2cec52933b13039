#!/usr/bin/env python3
"""Loads one page in headless Chromium and reports what a test needs to judge it.

Drives Chromium through the DevTools protocol over --remote-debugging-pipe
(fd 3: commands in, fd 4: replies out, each message JSON ended by a NUL byte),
so no port is opened and nothing but the standard library is needed.

  cdp_page.py URL [--script FILE] [--screenshot PNG] [--chromium PATH] [--timeout S]

Prints one JSON object: "console_errors" (console.error calls, uncaught
exceptions and the browser's error log entries, e.g. a resource that failed
to load or a blocked request), "requests" (every URL the page asked for, its
own included) and "result" (the value of the script: an expression, awaited
when it is a promise, evaluated after the load event). Exits 2 when Chromium
cannot be driven at all.
"""
import argparse
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time


class Chromium:
    def __init__(self, binary, profile, log):
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()

        def wire_pipe():
            # Copy both ends above 4 first, so neither is clobbered by the other's dup2.
            a, b = os.dup(cmd_r), os.dup(out_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
            "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
            "--window-size=1280,1000", "about:blank",
        ]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     preexec_fn=wire_pipe, pass_fds=(3, 4))
        os.close(cmd_r)
        os.close(out_w)
        self._buffer = b""
        self._next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from Chromium in time")
            ready, _, _ = select.select([self._out_r], [], [], 0.2)
            if ready:
                chunk = os.read(self._out_r, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe (exit %s)" % self.proc.poll())
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None, timeout=30.0):
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError("%s failed: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method, session, timeout):
        deadline = time.monotonic() + timeout
        for e in self.events:
            if e.get("method") == method and e.get("sessionId") == session:
                return e
        while True:
            e = self._read_message(deadline)
            self.events.append(e)
            if e.get("method") == method and e.get("sessionId") == session:
                return e

    def close(self):
        try:
            self.call("Browser.close", timeout=5.0)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--script")
    ap.add_argument("--screenshot")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args()

    profile = tempfile.mkdtemp(prefix="foley-chromium-")
    log = open(os.path.join(profile, "chromium.log"), "w")
    browser = None
    try:
        browser = Chromium(args.chromium, profile, log)
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            browser.call(domain + ".enable", session=session)
        browser.call("Page.navigate", {"url": args.url}, session=session)
        browser.wait_event("Page.loadEventFired", session, args.timeout)
        result = None
        if args.script:
            with open(args.script) as f:
                expression = f.read()
            reply = browser.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                      "returnByValue": True}, session=session, timeout=args.timeout)
            if "exceptionDetails" in reply:
                result = {"script_error": reply["exceptionDetails"].get("exception", {}).get("description")
                          or reply["exceptionDetails"].get("text")}
            else:
                result = reply["result"].get("value")
        if args.screenshot:
            shot = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                                session=session)
            with open(args.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        errors, requests = [], []
        for e in browser.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append("console.%s: %s" % (p["type"], " ".join(str(a.get("value", a.get("description")))
                                                                       for a in p.get("args", []))))
            elif method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                errors.append("exception: %s" % (d.get("exception", {}).get("description") or d.get("text")))
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append("log: %s %s" % (p["entry"].get("text"), p["entry"].get("url", "")))
            elif method == "Network.requestWillBeSent":
                requests.append(p["request"]["url"])
            elif method == "Network.loadingFailed" and not p.get("canceled"):
                # A media element cancelling the rest of a file it has the metadata of is no error.
                errors.append("load failed: %s (%s)" % (p.get("errorText"), p.get("blockedReason", "")))
        print(json.dumps({"console_errors": errors, "requests": requests, "result": result}))
        return 0
    except Exception as e:  # the browser could not be driven: say so, the test fails on it
        log.flush()
        with open(log.name) as f:
            tail = f.read()[-2000:]
        print("cdp_page: %s\n%s" % (e, tail), file=sys.stderr)
        return 2
    finally:
        if browser:
            browser.close()
        log.close()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
