#!/usr/bin/env python3
"""Runs a command under a pseudo-terminal, as a person at a terminal would see
it, and writes everything it printed (escape sequences included) to stdout.

  pty_run.py [--columns N] [--timeout S] -- COMMAND [ARG...]

Exits with the command's exit code (124 when it ran past the timeout)."""
import argparse
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--columns", type=int, default=120)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, args.columns, 0, 0))
    out = bytearray()
    deadline = time.monotonic() + args.timeout
    while True:
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            sys.stdout.buffer.write(out)
            return 124
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the terminal's last writer is gone
                chunk = b""
            if not chunk:
                break
            out += chunk
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(out)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
