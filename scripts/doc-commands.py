#!/usr/bin/env python3
"""Runs the shell examples of README.md and docs/*.md, in order, against a fresh `assay serve`.

Every ```sh (bash, shell, console) block runs unless the line before its fence is `<!-- not-run: REASON -->`. The
documents share one shell state, as a reader's terminal would: variables set with `NAME=value`, `NAME=$(command)` or
`export NAME=value` stay set, files land in one scratch directory (with the checkout's top-level entries linked in, so `seeds/...` and
`docs/...` resolve), and one server runs at a time:

- before the first block, `assay serve` starts as `make run` does (in-memory store, demo data), without a token: it
  must print `export ASSAY_TOKEN=...`, which becomes $ASSAY_TOKEN;
- `make run`, `swift run assay serve ...` and `assay serve ...` restart it with the variables set so far;
- any other `make` is refused; `swift run assay ARGS` and `assay ARGS` run the binary under test, any other `swift`
  command is refused;
- every other line runs in bash (it must exit 0) with `curl` wrapped to record each request: every answer must be 2xx unless
  the line's comments promise a status, `localhost:8000` and `127.0.0.1:8000` become the server's port, and the
  example URLs `postgres://...@127.0.0.1:5432/...` and `redis://127.0.0.1:6379/...` become the throw-away services.

A comment tied to a command makes promises that are checked against its last request: the comment lines right above
it and its trailing comment, plus comment lines right below it that hold JSON. `(NNN` anywhere or `NNN` first in the
comment is the status; `Location: PATH` the header; a JSON value the answer's shape (`...` stands for any value, any
further members of an object, or any further elements at the end of an array; everything else must be equal).
A comment `prints: TEXT` (trailing, or on a line of its own below the command) promises a line of the command's output
that contains TEXT, in the order given; runs of spaces and tabs compare as one space.

Usage: scripts/doc-commands.py --binary .build/debug/assay [--postgres-url URL] [--redis-url URL] [DOC.md ...]
(default: README.md, then every docs/*.md by name)
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCUMENTS = ["README.md"] + sorted(os.path.join("docs", name) for name in os.listdir(os.path.join(ROOT, "docs"))
                                  if name.endswith(".md"))
SHELLS = {"sh", "bash", "shell", "console"}
FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
NOT_RUN = re.compile(r"^\s*<!--\s*not-run:\s*(.+?)\s*-->\s*$")
PRINTS = re.compile(r"^prints:\s?(.*)$")
ASSIGNMENT = re.compile(r"^(export\s+)?([A-Za-z_][A-Za-z0-9_]*)=")
TOKEN_LINE = re.compile(r"export ASSAY_TOKEN=(\S+)")
STATUS_FIRST = re.compile(r"^\s*([1-5]\d\d)\b")
STATUS_PAREN = re.compile(r"\(([1-5]\d\d)(?=\)|,\s|;|\s|$)")
LOCATION = re.compile(r"Location:\s*(\S+?)[),;]?(?:\s|$)")
EXAMPLE_PORT = re.compile(r"\b(localhost|127\.0\.0\.1):8000\b")
EXAMPLE_POSTGRES = re.compile(r"postgres://[^\s'\"]*@127\.0\.0\.1:5432/[A-Za-z0-9_]*")
EXAMPLE_REDIS = re.compile(r"redis://127\.0\.0\.1:6379(/\d+)?")
COMMAND_SECONDS = 120
SERVER_START_SECONDS = 60

# `swift run assay ...` and `assay ...` run the binary under test; any other swift command (a build) is refused.
SWIFT_SHIM = """#!/usr/bin/env bash
if [ "${1:-}" = run ] && [ "${2:-}" = assay ]; then shift 2; exec "$DOC_ASSAY" "$@"; fi
echo "doc-commands: only 'swift run assay ...' runs here; mark the block <!-- not-run: REASON -->" >&2
exit 97
"""
ASSAY_SHIM = """#!/usr/bin/env bash
exec "$DOC_ASSAY" "$@"
"""
CURL_SHIM = """#!/usr/bin/env bash
# Records every request of a documented command: arguments, answer headers, stdout, exit status.
n=$(( $(cat "$DOC_RECORDS/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$DOC_RECORDS/count"
printf '%s\\0' "$@" > "$DOC_RECORDS/$n.args"
"$DOC_REAL_CURL" -sS --max-time 60 -D "$DOC_RECORDS/$n.headers" "$@" > "$DOC_RECORDS/$n.stdout"
status=$?
echo "$status" > "$DOC_RECORDS/$n.exit"
cat "$DOC_RECORDS/$n.stdout"
exit "$status"
"""


class DocError(Exception):
    pass


# MARK: - The documents


class Command:
    """One shell command of a document, with the comments that make promises about it."""

    def __init__(self, where, text, comment):
        self.where = where
        self.text = text
        self.comments = []
        self.prints = []
        self.add(comment)

    def add(self, comment):
        """`prints: TEXT` promises a line of output; any other comment may promise a status, a Location or JSON."""
        match = PRINTS.match(comment)
        if match:
            self.prints.append(" ".join(match.group(1).split()))
        elif comment:
            self.comments.append(comment)


def shell_blocks(path):
    """(line, text, not-run reason) of each shell block of a document."""
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(fence.group(1)):])
            i += 1
        i += 1
        if fence.group(2) not in SHELLS:
            continue
        previous = start - 1
        while previous >= 0 and not lines[previous].strip():
            previous -= 1
        marker = NOT_RUN.match(lines[previous]) if previous >= 0 else None
        blocks.append((start + 1, body, marker.group(1) if marker else None))
    return blocks


def split_comment(line):
    """(code, comment) of a shell line: the comment starts at a `#` outside quotes after a space or at the start."""
    quote = None
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and quote != "'":
            index += 2
            continue
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip(), line[index + 1:].strip()
        index += 1
    return line.rstrip(), ""


def commands(path, first_line, body):
    """The block's commands: continuation lines joined, comment lines tied to the command they describe."""
    found = []
    above = []
    json_open = False
    i = 0
    while i < len(body):
        line_number = first_line + 1 + i
        line = body[i]
        code, comment = split_comment(line)
        if not code.strip():
            if comment and found and (json_open or comment[:1] in "{[" or PRINTS.match(comment)):
                # JSON or `prints:` below a command is what it promises; JSON may run over several comment lines.
                found[-1].add(comment)
                json_open = not PRINTS.match(comment) and unbalanced(" ".join(found[-1].comments))
            elif comment:
                above.append(comment)
                json_open = False
            else:
                above = []
                json_open = False
            i += 1
            continue
        text = line
        while code.endswith("\\") and i + 1 < len(body):
            i += 1
            text += "\n" + body[i]
            code, comment = split_comment(body[i])
        command = Command(f"{path}:{line_number}", text, "")
        for earlier in above + [comment]:
            command.add(earlier)
        found.append(command)
        above = []
        json_open = False
        i += 1
    return found


def unbalanced(text):
    depth = 0
    for char in text:
        depth += char in "{["
        depth -= char in "}]"
    return depth > 0


# MARK: - Promises


class AnyValue:
    """`...` in a promised JSON value."""


ANY = AnyValue()


def promised_json(comments):
    """The JSON value a command's comments show, or None. Scans for the first `{` or `[` that parses."""
    text = " ".join(comments)
    for start, char in enumerate(text):
        if char in "{[":
            try:
                value, _ = JSONPattern(text, start).value()
                return value
            except ValueError:
                continue
    return None


class JSONPattern:
    """JSON with `...` for any value, any further members or any further elements."""

    def __init__(self, text, position):
        self.text = text
        self.position = position

    def skip(self):
        while self.position < len(self.text) and self.text[self.position] in " \t\n\r":
            self.position += 1

    def peek(self, literal):
        self.skip()
        return self.text.startswith(literal, self.position)

    def expect(self, literal):
        if not self.peek(literal):
            raise ValueError(f"expected {literal!r} at {self.position}")
        self.position += len(literal)

    def value(self):
        self.skip()
        if self.peek("..."):
            self.position += 3
            return ANY, self.position
        if self.peek("{"):
            self.position += 1
            members, open_ended = {}, False
            if self.peek("}"):
                self.position += 1
                return ("object", members, open_ended), self.position
            while True:
                if self.peek("..."):
                    self.position += 3
                    open_ended = True
                else:
                    key, _ = self.string()
                    self.expect(":")
                    members[key], _ = self.value()
                if self.peek(","):
                    self.position += 1
                    continue
                self.expect("}")
                return ("object", members, open_ended), self.position
        if self.peek("["):
            self.position += 1
            elements, open_ended = [], False
            if self.peek("]"):
                self.position += 1
                return ("array", elements, open_ended), self.position
            while True:
                if self.peek("..."):
                    self.position += 3
                    open_ended = True
                else:
                    element, _ = self.value()
                    elements.append(element)
                if self.peek(","):
                    self.position += 1
                    continue
                self.expect("]")
                return ("array", elements, open_ended), self.position
        if self.peek('"'):
            return self.string()
        match = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null").match(self.text, self.position)
        if not match:
            raise ValueError(f"no JSON value at {self.position}")
        self.position = match.end()
        return json.loads(match.group(0)), self.position

    def string(self):
        self.skip()
        match = re.compile(r'"(?:[^"\\]|\\.)*"').match(self.text, self.position)
        if not match:
            raise ValueError(f"no string at {self.position}")
        self.position = match.end()
        return json.loads(match.group(0)), self.position


def mismatch(pattern, actual, where="$"):
    """The first difference between a promised shape and an answer, or None."""
    if pattern is ANY:
        return None
    if isinstance(pattern, tuple) and pattern[0] == "object":
        _, members, open_ended = pattern
        if not isinstance(actual, dict):
            return f"{where}: expected an object, got {json.dumps(actual)[:80]}"
        missing = [key for key in members if key not in actual]
        if missing:
            return f"{where}: missing {', '.join(missing)}"
        extra = [key for key in actual if key not in members]
        if extra and not open_ended:
            return f"{where}: unexpected {', '.join(extra)} (write `...` in the promise to allow more members)"
        for key, value in members.items():
            found = mismatch(value, actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(pattern, tuple) and pattern[0] == "array":
        _, elements, open_ended = pattern
        if not isinstance(actual, list):
            return f"{where}: expected an array, got {json.dumps(actual)[:80]}"
        if len(actual) < len(elements) or (len(actual) > len(elements) and not open_ended):
            return f"{where}: expected {len(elements)}{' or more' if open_ended else ''} elements, got {len(actual)}"
        for index, element in enumerate(elements):
            found = mismatch(element, actual[index], f"{where}[{index}]")
            if found:
                return found
        return None
    if type(pattern) is not type(actual) and not (isinstance(pattern, (int, float)) and isinstance(actual, (int, float))
                                                  and not isinstance(actual, bool) and not isinstance(pattern, bool)):
        return f"{where}: expected {json.dumps(pattern)}, got {json.dumps(actual)[:80]}"
    if pattern != actual:
        return f"{where}: expected {json.dumps(pattern)}, got {json.dumps(actual)[:80]}"
    return None


def promised_status(comments):
    for comment in comments:
        match = STATUS_FIRST.match(comment) or STATUS_PAREN.search(comment)
        if match:
            return int(match.group(1))
    return None


def promised_location(comments):
    for comment in comments:
        match = LOCATION.search(comment)
        if match:
            return match.group(1)
    return None


# MARK: - Running


class Session:
    """The reader's terminal: variables, a scratch directory, the server, the recorded requests."""

    def __init__(self, options):
        self.binary = os.path.abspath(options.binary)
        self.postgres_url = options.postgres_url
        self.redis_url = options.redis_url
        self.scratch = tempfile.mkdtemp(prefix="assay-docs.")
        self.records = os.path.join(self.scratch, ".records")
        shim = os.path.join(self.scratch, ".bin")
        os.makedirs(self.records)
        os.makedirs(shim)
        for name, script in (("curl", CURL_SHIM), ("swift", SWIFT_SHIM), ("assay", ASSAY_SHIM)):
            with open(os.path.join(shim, name), "w") as f:
                f.write(script)
            os.chmod(os.path.join(shim, name), 0o755)
        for entry in os.listdir(ROOT):
            if not entry.startswith(".") or entry == ".swift-format":
                os.symlink(os.path.join(ROOT, entry), os.path.join(self.scratch, entry))
        real_curl = shutil.which("curl")
        if not real_curl:
            raise DocError("curl is not installed")
        base = {key: value for key, value in os.environ.items() if not key.startswith("ASSAY_")}
        base.update(PATH=shim + os.pathsep + base.get("PATH", ""), DOC_RECORDS=self.records, DOC_REAL_CURL=real_curl,
                    DOC_ASSAY=self.binary)
        self.environment = base
        self.variables = {}
        self.port = None
        self.server = None
        self.server_log = None
        self.requests = 0
        self.failures = []
        self.verbose = options.verbose

    # The server

    def start_server(self, arguments, where, first=False):
        self.stop_server()
        self.port = free_port()
        environment = self.shell_environment()
        environment["ASSAY_PORT"] = str(self.port)
        log_path = os.path.join(self.scratch, f".server-{self.port}.log")
        self.server_log = open(log_path, "w+")
        self.server = subprocess.Popen(
            [self.binary, "serve", *arguments], cwd=self.scratch, env=environment, stdout=self.server_log,
            stderr=subprocess.STDOUT, start_new_session=True)
        tls = "--tls-cert" in arguments or "ASSAY_TLS_CERT" in environment
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not self.healthy(tls):
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise DocError(f"{where}: `assay serve {' '.join(arguments)}` did not come up:\n{self.log_tail()}")
            time.sleep(0.2)
        self.server_log.seek(0)
        token = TOKEN_LINE.search(self.server_log.read())
        if token:
            self.variables["ASSAY_TOKEN"] = token.group(1)
        elif first:
            raise DocError(f"{where}: a first start printed no `export ASSAY_TOKEN=...` line, as the quick start shows")
        print(f"  {where}: assay serve {' '.join(arguments)} on port {self.port}" + (" (token printed)" if token else ""),
              flush=True)

    def healthy(self, tls):
        url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/health"
        context = ssl._create_unverified_context() if tls else None
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as answer:
                return answer.status == 200
        except (urllib.error.URLError, OSError, ssl.SSLError):
            return False

    def stop_server(self):
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(timeout=5)
        self.server = None

    def log_tail(self):
        if not self.server_log:
            return ""
        self.server_log.seek(0)
        return "".join(self.server_log.readlines()[-20:])

    # Commands

    def shell_environment(self):
        environment = dict(self.environment)
        environment.update(self.variables)
        return environment

    def substitute(self, text, where):
        text = EXAMPLE_PORT.sub(lambda m: f"{m.group(1)}:{self.port}", text)
        if EXAMPLE_POSTGRES.search(text):
            if not self.postgres_url:
                raise DocError(f"{where}: needs Postgres: pass --postgres-url (scripts/doc-examples.sh does)")
            text = EXAMPLE_POSTGRES.sub(self.postgres_url, text)
        if EXAMPLE_REDIS.search(text):
            if not self.redis_url:
                raise DocError(f"{where}: needs Redis: pass --redis-url (scripts/doc-examples.sh does)")
            text = EXAMPLE_REDIS.sub(self.redis_url, text)
        return text

    def run(self, command):
        text = self.substitute(command.text, command.where)
        words = shlex.split(text.replace("\\\n", " "), comments=True)
        assignment = ASSIGNMENT.match(text.strip())
        # `NAME=value`, or `NAME=$(command ...)` keeping what the command printed (an id for later lines).
        if assignment and (len(words) <= 2 or text.strip()[assignment.end():].startswith("$(")):
            self.assign(assignment.group(2), text, command.where)
        elif words[:2] == ["make", "run"]:
            self.start_server([], command.where)
        elif words[:1] == ["make"]:
            raise DocError(f"{command.where}: `{' '.join(words)}` cannot run here; mark the block <!-- not-run: REASON -->")
        elif words[:4] == ["swift", "run", "assay", "serve"] or words[:2] == ["assay", "serve"]:
            self.start_server(words[4:] if words[0] == "swift" else words[2:], command.where)
        else:
            self.run_shell(text, command)

    def assign(self, name, text, where):
        result = subprocess.run(["bash", "-c", f'{text}\nprintf %s "${name}"'], cwd=self.scratch,
                                env=self.shell_environment(), capture_output=True, text=True, timeout=COMMAND_SECONDS)
        if result.returncode != 0:
            self.fail(where, f"`{text.strip()}` failed: {result.stderr.strip()}")
        self.variables[name] = result.stdout

    def check_prints(self, command, output):
        """Whether the output holds every `prints:` line of the command, in order (spaces and tabs compared as one)."""
        lines = [" ".join(line.split()) for line in output.splitlines()]
        position = 0
        for promised in command.prints:
            while position < len(lines) and promised not in lines[position]:
                position += 1
            if position == len(lines):
                self.fail(command.where, f"the output has no line with {promised!r} (after the lines before it):\n"
                          + output[-1500:])
                return False
            position += 1
        return True

    def run_shell(self, text, command):
        started = time.monotonic()
        first = self.requests + 1
        try:
            result = subprocess.run(["bash", "-o", "pipefail", "-c", text], cwd=self.scratch, env=self.shell_environment(),
                                    capture_output=True, timeout=COMMAND_SECONDS)
        except subprocess.TimeoutExpired:
            return self.fail(command.where, f"took over {COMMAND_SECONDS} s")
        self.requests = self.request_count()
        answers = [self.answer(n) for n in range(first, self.requests + 1)]
        shown = " ".join(command.text.split())[:100]
        failed_curl = [a for a in answers if a["exit"] != 0]
        if failed_curl:
            return self.fail(command.where, f"curl failed (exit {failed_curl[0]['exit']}) on `{shown}`: "
                             + result.stderr.decode(errors="replace")[-800:])
        if result.returncode != 0:
            return self.fail(command.where, f"`{shown}` exited {result.returncode}: {result.stderr.decode(errors='replace')[-800:]}")
        if not self.check_prints(command, result.stdout.decode(errors="replace")):
            return
        status = promised_status(command.comments)
        for index, answer in enumerate(answers):
            last = index == len(answers) - 1
            expected = status if last and status else None
            if expected and answer["status"] != expected:
                return self.fail(command.where, f"answered {answer['status']}, the document says {expected}: "
                                 f"{answer['body'][:300]!r}")
            if not expected and not 200 <= answer["status"] < 300:
                return self.fail(command.where, f"answered {answer['status']} (not 2xx and not shown as an error): "
                                 f"{answer['body'][:300]!r}")
        if not answers:
            print(f"  ok {command.where}: {shown} ({time.monotonic() - started:.1f} s)", flush=True)
            return
        last = answers[-1]
        location = promised_location(command.comments)
        if location and last["headers"].get("location") != location:
            return self.fail(command.where, f"Location is {last['headers'].get('location')!r}, the document says {location!r}")
        pattern = promised_json(command.comments)
        checked = ""
        if pattern is not None:
            try:
                actual = json.loads(last["body"])
            except ValueError:
                return self.fail(command.where, f"the document shows JSON, the answer is not: {last['body'][:300]!r}")
            difference = mismatch(pattern, actual)
            if difference:
                return self.fail(command.where, f"the answer's shape differs from the document's: {difference}")
            checked = ", shape as shown"
        if location:
            checked += ", Location as shown"
        statuses = ",".join(str(a["status"]) for a in answers)
        print(f"  ok {command.where}: {statuses}{checked}", flush=True)
        if self.verbose:
            print(f"     {last['body'][:600]}", flush=True)

    def request_count(self):
        path = os.path.join(self.records, "count")
        return int(open(path).read().strip() or 0) if os.path.exists(path) else 0

    def answer(self, n):
        def read(suffix, mode="r"):
            path = os.path.join(self.records, f"{n}.{suffix}")
            return open(path, mode).read() if os.path.exists(path) else ("" if mode == "r" else b"")
        arguments = read("args").split("\0")
        raw_headers = read("headers", "rb").decode("latin-1")
        blocks = [b for b in re.split(r"\r?\n\r?\n", raw_headers) if b.strip()]
        final = blocks[-1].splitlines() if blocks else []
        status = int(final[0].split()[1]) if final and final[0].startswith("HTTP/") else 0
        headers = {}
        for line in final[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = read("stdout", "rb")
        if "-i" in arguments or "--include" in arguments:
            body = body[len(raw_headers):]
        exit_status = int(read("exit").strip() or 0)
        return {"status": status, "headers": headers, "body": body.decode(errors="replace"), "exit": exit_status}

    def fail(self, where, message):
        self.failures.append(f"{where}: {message}")
        print(f"FAIL {where}: {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.environ.get("ASSAY_BINARY", os.path.join(ROOT, ".build", "debug", "assay")))
    parser.add_argument("--postgres-url", default=None, help="an empty database for the Postgres sections")
    parser.add_argument("--redis-url", default=None, help="a Redis for the Redis sections")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--verbose", action="store_true", help="print each answer's body (to write a promise)")
    parser.add_argument("documents", nargs="*", default=DOCUMENTS)
    options = parser.parse_args()
    if not os.access(options.binary, os.X_OK):
        raise DocError(f"no assay binary at {options.binary} (--binary or ASSAY_BINARY)")
    began = time.monotonic()
    session = Session(options)
    ran = skipped = 0
    try:
        session.start_server([], "the quick start (make run)", first=True)
        for document in options.documents:
            path = os.path.join(ROOT, document)
            for line, body, reason in shell_blocks(path):
                if reason:
                    skipped += 1
                    print(f"  not run {document}:{line}: {reason}", flush=True)
                    continue
                for command in commands(document, line, body):
                    ran += 1
                    session.run(command)
    except DocError as error:
        session.fail("stopped", str(error))
    finally:
        session.stop_server()
        if options.keep:
            print(f"scratch directory kept: {session.scratch}")
        else:
            shutil.rmtree(session.scratch, ignore_errors=True)
    print(f"documented commands: {ran} run ({session.requests} requests), {skipped} blocks not run, "
          f"{len(session.failures)} failed, {time.monotonic() - began:.0f} s", flush=True)
    return 1 if session.failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DocError as error:
        print(f"FAIL {error}", file=sys.stderr)
        sys.exit(1)
