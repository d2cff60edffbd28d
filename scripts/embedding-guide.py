#!/usr/bin/env python3
"""Runs docs/embedding.md as a test: its examples, built as an outside package beside a copy of the checkout.

Every ```swift block of the guide carries a marker on the line before its fence:
  <!-- embedding-example: PATH -->      writes the block to gene-tool/PATH
  <!-- embedding-example: PATH run -->  writes it, then `swift build` and `swift run`: the tool must print exactly
                                        the block's `// prints: TEXT` lines, in order
  <!-- not-run: REASON -->              leaves the block out, visibly
The checkout (every file `git ls-files` lists, committed or not) is copied to WORK/assay, so the guide's
`.package(path: "../assay")` resolves as it would for a reader. WORK defaults to .build/embedding-guide and is kept:
files are copied only when they changed, so a second run compiles only what changed.

Usage: scripts/embedding-guide.py [--guide docs/embedding.md] [--work DIR] [--swift swift]
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*(embedding-example|not-run):\s*(.*?)\s*-->\s*$")
PRINTS = re.compile(r"//\s*prints:\s?(.*?)\s*$")
BUILD_SECONDS = 3600
RUN_SECONDS = 120


class GuideError(Exception):
    pass


def blocks(guide_path):
    """The guide's fenced blocks: (line number, language, marker kind, marker argument, text)."""
    lines = open(guide_path, encoding="utf-8").read().split("\n")
    found = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        indent, language = fence.group(1), fence.group(2)
        start = i
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        if i == len(lines):
            raise GuideError(f"{guide_path}:{start + 1}: the fence is never closed")
        i += 1
        previous = start - 1
        while previous >= 0 and not lines[previous].strip():
            previous -= 1
        marker = MARKER.match(lines[previous]) if previous >= 0 else None
        kind, argument = (marker.group(1), marker.group(2)) if marker else (None, None)
        found.append((start + 1, language, kind, argument, "\n".join(body) + "\n"))
    return found


def checkout_files():
    """Files of the working tree as git sees them: tracked (unless deleted) and untracked but not ignored."""
    listed = subprocess.run(
        ["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, capture_output=True).stdout.decode().split("\0")
    return sorted({path for path in listed if path and os.path.isfile(os.path.join(ROOT, path))})


def sync_checkout(target):
    """Makes `target` hold exactly the checkout's files, copying only those whose bytes differ (so mtimes of
    unchanged files stay and the build stays incremental)."""
    wanted = set(checkout_files())
    for directory, dirs, files in os.walk(target, topdown=True):
        dirs[:] = [d for d in dirs if not (directory == target and d in (".build", ".swiftpm"))]
        for name in files:
            relative = os.path.relpath(os.path.join(directory, name), target)
            if relative not in wanted and relative != "Package.resolved":
                os.remove(os.path.join(directory, name))
    copied = 0
    for relative in wanted:
        source, destination = os.path.join(ROOT, relative), os.path.join(target, relative)
        if os.path.isfile(destination) and same_bytes(source, destination):
            continue
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copy2(source, destination)
        copied += 1
    return len(wanted), copied


def same_bytes(a, b):
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def write_if_changed(path, text):
    if os.path.isfile(path) and open(path, encoding="utf-8").read() == text:
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def swift(arguments, cwd, timeout, swift_command):
    started = time.monotonic()
    try:
        result = subprocess.run([swift_command, *arguments], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise GuideError(f"`swift {' '.join(arguments)}` took longer than {timeout} s")
    return result, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guide", default=os.path.join(ROOT, "docs", "embedding.md"))
    parser.add_argument("--work", default=os.path.join(ROOT, ".build", "embedding-guide"))
    parser.add_argument("--swift", default=os.environ.get("SWIFT", "swift"))
    options = parser.parse_args()
    guide = os.path.relpath(options.guide)
    work = os.path.abspath(options.work)
    tool = os.path.join(work, "gene-tool")
    began = time.monotonic()

    found = blocks(options.guide)
    unmarked = [f"{guide}:{line}" for line, language, kind, _, _ in found if language == "swift" and kind is None]
    if unmarked:
        raise GuideError("swift blocks without <!-- embedding-example: PATH [run] --> or <!-- not-run: REASON -->: "
                         + ", ".join(unmarked))
    examples = [block for block in found if block[2] == "embedding-example"]
    if not any(block[3].split()[0] == "Package.swift" for block in examples):
        raise GuideError(f"{guide} marks no Package.swift block")

    total, copied = sync_checkout(os.path.join(work, "assay"))
    print(f"embedding guide: {total} checkout files in {os.path.join(work, 'assay')} ({copied} copied)", flush=True)
    # The tool's sources are the guide's and nothing else: leftovers of an earlier version of the guide go.
    shutil.rmtree(os.path.join(tool, "Sources"), ignore_errors=True)

    failures = []
    runs = 0
    pending = None
    for line, _, _, argument, text in examples:
        words = argument.split()
        path, run = words[0], words[1:] == ["run"]
        if words[1:] not in ([], ["run"]) or os.path.isabs(path) or ".." in path.split("/"):
            raise GuideError(f"{guide}:{line}: marker should read `embedding-example: RELATIVE/PATH [run]`")
        write_if_changed(os.path.join(tool, path), text)
        pending = f"{guide}:{line}"
        if not run:
            continue
        runs += 1
        where = f"{guide}:{line} ({path})"
        result, seconds = swift(["build"], tool, BUILD_SECONDS, options.swift)
        if result.returncode != 0:
            errors = [l for l in (result.stdout + result.stderr).splitlines() if "error:" in l] or result.stderr.splitlines()[-20:]
            failures.append(f"{where}: does not compile:\n  " + "\n  ".join(errors[:20]))
            continue
        build_seconds = seconds
        result, seconds = swift(["run", "--skip-build"], tool, RUN_SECONDS, options.swift)
        expected = [match.group(1) for match in map(PRINTS.search, text.splitlines()) if match]
        printed = result.stdout.splitlines()
        if result.returncode != 0:
            failures.append(f"{where}: the tool exited with {result.returncode}:\n{result.stderr[-2000:]}")
        elif printed != expected:
            diff = difflib.unified_diff(expected, printed, "the guide's // prints: lines", "what the tool printed", lineterm="")
            failures.append(f"{where}: the output differs from the guide:\n  " + "\n  ".join(diff))
        else:
            print(f"  ok {where}: built in {build_seconds:.1f} s, {len(expected)} lines as promised", flush=True)
        pending = None
    if pending:
        # A file written after the last run must still compile.
        result, _ = swift(["build"], tool, BUILD_SECONDS, options.swift)
        if result.returncode != 0:
            failures.append(f"{pending}: does not compile:\n{result.stderr[-2000:]}")
    if runs == 0:
        failures.append(f"{guide} has no example marked `run`")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    print(f"embedding guide: {runs} examples run, {len(failures)} failed, {time.monotonic() - began:.0f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except GuideError as error:
        print(f"FAIL {error}", file=sys.stderr)
        sys.exit(1)
