#!/usr/bin/env python3
"""Drive a command through a real pseudo-terminal (no native Node modules needed).

Usage: python3 pty-drive.py '<json spec>'   (or the spec on stdin when argv[1] is absent)

Spec:
  {
    "argv": ["node", "bin/run.js"],     # command to run; the environment is inherited
    "cwd": "/path",                     # optional
    "cols": 120, "rows": 40,            # optional terminal size
    "timeout": 30,                      # overall seconds before the child is killed
    "steps": [
      {"expect": "Topic", "timeout": 10},          # wait for text (ANSI stripped) after the last match
      {"expect_re": "❯ \\w+", "timeout": 10},      # same, with a regular expression
      {"send": "\\r"},                               # write to the terminal (JSON escapes: "\\u001b[B", "\\u0003")
      {"sleep": 0.2},
      {"quiet": 0.3, "timeout": 5},                 # wait until the output has been still this long
      {"hangup": true},                             # SIGHUP the child, as closing the terminal does
      {"select": "❯ context(\\\\s|$)", "key": "\\u001b[B", "max": 40, "quiet": 0.25}
                                                    # press key until the latest render matches (multiline regex)
    ]
  }

Prints one JSON document on stdout:
  {"code": int|null, "signal": int|null, "output": raw terminal output, "timed_out": bool,
   "failed_step": index|null, "error": str|null}
After the steps, the driver keeps reading until the child exits (or the overall timeout).
"""
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import time

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\r")


def strip(text):
    return ANSI.sub("", text)


def main():
    spec = json.loads(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())
    argv = spec["argv"]
    deadline = time.monotonic() + float(spec.get("timeout", 30))
    cols, rows = int(spec.get("cols", 120)), int(spec.get("rows", 40))

    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is its controlling terminal (new session), so ^C raises SIGINT
        try:
            import fcntl
            import termios

            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            if spec.get("cwd"):
                os.chdir(spec["cwd"])
            os.execvp(argv[0], argv)
        except BaseException as err:  # noqa: BLE001 - report and die, never return into the parent's code
            os.write(2, ("pty-drive: exec failed: %s\n" % err).encode())
        finally:
            os._exit(127)

    raw = bytearray()
    state = {"eof": False, "last_data": time.monotonic()}

    def pump(wait):
        """Read what is available within `wait` seconds. Returns True when data arrived."""
        if state["eof"]:
            time.sleep(min(wait, 0.05))
            return False
        ready, _, _ = select.select([fd], [], [], max(0.0, wait))
        if not ready:
            return False
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            state["eof"] = True
            return False
        raw.extend(chunk)
        state["last_data"] = time.monotonic()
        return True

    def text():
        return strip(raw.decode("utf-8", "replace"))

    def wait_quiet(quiet, limit):
        end = min(deadline, time.monotonic() + limit)
        while time.monotonic() < end:
            if state["eof"] or time.monotonic() - state["last_data"] >= quiet:
                return True
            pump(0.05)
        return False

    result = {"code": None, "signal": None, "output": "", "timed_out": False, "failed_step": None, "error": None}
    mark = 0  # stripped-text offset after the last expect match
    match_start = 0  # start of the last expect match (select looks at the render from here)
    sent_at = None  # raw offset of the last key sent by select

    try:
        for i, step in enumerate(spec.get("steps", [])):
            if "expect" in step or "expect_re" in step:
                pattern = re.compile(step["expect_re"] if "expect_re" in step else re.escape(step["expect"]), re.M)
                end = min(deadline, time.monotonic() + float(step.get("timeout", 10)))
                found = None
                while True:
                    found = pattern.search(text(), mark)
                    if found or time.monotonic() >= end or state["eof"]:
                        break
                    pump(0.05)
                if not found:
                    found = pattern.search(text(), mark)
                if not found:
                    result["failed_step"] = i
                    result["error"] = "timed out waiting for %r" % (step.get("expect") or step.get("expect_re"))
                    break
                match_start, mark = found.start(), found.end()
                sent_at = None
            elif "send" in step:
                os.write(fd, step["send"].encode("utf-8"))
            elif "sleep" in step:
                end = time.monotonic() + float(step["sleep"])
                while time.monotonic() < end:
                    pump(min(0.05, max(0.0, end - time.monotonic())))
            elif "hangup" in step:
                # What closing a terminal does: SIGHUP to the shell (it may be gone already).
                try:
                    os.kill(pid, signal.SIGHUP)
                except ProcessLookupError:
                    pass
            elif "quiet" in step and "select" not in step:
                wait_quiet(float(step["quiet"]), float(step.get("timeout", 5)))
            elif "select" in step:
                pattern = re.compile(step["select"], re.M)
                key = step.get("key", "\x1b[B")
                quiet = float(step.get("quiet", 0.25))
                ok = False
                for _ in range(int(step.get("max", 40)) + 1):
                    wait_quiet(quiet, 5)
                    if sent_at is None:
                        render = text()[match_start:]
                    else:
                        render = strip(raw[sent_at:].decode("utf-8", "replace"))
                    if pattern.search(render):
                        ok = True
                        break
                    sent_at = len(raw)
                    os.write(fd, key.encode("utf-8"))
                    # make sure the re-render has started before waiting for quiet
                    end = time.monotonic() + 2
                    while len(raw) == sent_at and time.monotonic() < end and not state["eof"]:
                        pump(0.05)
                if not ok:
                    result["failed_step"] = i
                    result["error"] = "no render matched %r" % step["select"]
                    break
                sent_at = None
                mark = len(text())
                match_start = mark
            else:
                raise ValueError("unknown step %r" % step)

        if result["failed_step"] is not None:
            deadline = time.monotonic()  # a step failed: do not wait for the child, kill it
        # Drain until the child exits or the overall timeout.
        status = None
        while True:
            waited, st = os.waitpid(pid, os.WNOHANG)
            if waited == pid:
                status = st
                break
            if time.monotonic() >= deadline:
                result["timed_out"] = True
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
                break
            pump(0.05)
        # Read whatever is still buffered in the terminal.
        while pump(0.05):
            pass
        if os.WIFEXITED(status):
            result["code"] = os.WEXITSTATUS(status)
        elif os.WIFSIGNALED(status):
            result["signal"] = os.WTERMSIG(status)
    except BaseException as err:  # noqa: BLE001
        result["error"] = "%s: %s" % (type(err).__name__, err)
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    finally:
        try:
            os.close(fd)
        except OSError:
            pass

    result["output"] = raw.decode("utf-8", "replace")
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
