#!/usr/bin/env python3
"""Runs one compile-failure snippet as an ok/ko pair (STYLE.md point 21).

    run_compile_fail.py SNIPPET COMPILER [FLAGS...]

COMPILER and FLAGS are the compile command without a source file (e.g. `g++ -Iinclude`).
The snippet is compiled with -std=c++20 -fsyntax-only:
  1. plain: it must compile (the snippet is a correct program);
  2. with -DTYPEFLOW_SHOULD_FAIL: it must fail, and the compiler's output must contain the
     text of every `// expect-error: <substring>` line of the snippet.
A compiler crash (internal compiler error) never counts as the expected failure.
Exit status 0 when both hold, 1 otherwise.
"""

import re
import subprocess
import sys
import time

EXPECT = re.compile(r"//\s*expect-error:\s*(.*?)\s*$")
# `file:line:col: error: ...` on both compilers; also `clang: error: ...` and fatal errors.
ERROR_LINE = re.compile(r"(?:^|: )(?:fatal )?error: ")
CRASH = ("internal compiler error", "PLEASE submit a bug report", "frontend command failed")
SHOWN_LINES = 30
TIMEOUT_S = 300


def compile_snippet(command):
    start = time.monotonic()
    try:
        proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        out = (e.output or b"").decode("utf-8", errors="replace")
        return None, out + f"\n[timed out after {TIMEOUT_S} s]", time.monotonic() - start
    return proc.returncode, proc.stdout.decode("utf-8", errors="replace"), time.monotonic() - start


def head(output):
    lines = output.splitlines()
    shown = "\n".join("    " + line for line in lines[:SHOWN_LINES])
    more = f"\n    ... ({len(lines) - SHOWN_LINES} more lines)" if len(lines) > SHOWN_LINES else ""
    return shown + more


def crashed(returncode, output):
    # A signal shows as a negative code, or as 128+N through a shell or a driver.
    return returncode is None or returncode < 0 or returncode > 128 or any(c in output for c in CRASH)


def is_clang(compiler):
    try:
        version = subprocess.run(compiler + ["--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"clang" in version.stdout


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    snippet, compiler = argv[1], argv[2:]
    with open(snippet, encoding="utf-8") as f:
        expected = [m.group(1) for m in map(EXPECT.search, f) if m and m.group(1)]
    if not expected:
        print(f"FAIL {snippet}: no `// expect-error: <substring>` line")
        return 1

    base = compiler + ["-std=c++20", "-fsyntax-only", "-fdiagnostics-color=never"]
    if is_clang(compiler):
        base.append("-fno-crash-diagnostics")  # a crash must not leave reproducer files in /tmp
    ok = True

    # 1. The plain build is a correct program.
    command = base + [snippet]
    code, output, seconds = compile_snippet(command)
    if code == 0:
        print(f"ok build: compiles ({seconds:.1f} s)")
    else:
        ok = False
        reason = "the compiler crashed" if crashed(code, output) else f"exit status {code}"
        print(f"FAIL ok build: must compile, but {reason} ({seconds:.1f} s)")
        print("  command: " + " ".join(command))
        print(f"  first {SHOWN_LINES} lines of compiler output:\n" + head(output))

    # 2. The failing build fails, with the expected text.
    command = base + ["-DTYPEFLOW_SHOULD_FAIL", snippet]
    code, output, seconds = compile_snippet(command)
    # The compiler echoes source lines; the expect-error comments themselves must not match.
    diagnostics = "\n".join(line for line in output.splitlines() if "expect-error:" not in line)
    error_lines = [line for line in output.splitlines() if ERROR_LINE.search(line)]
    missing = [text for text in expected if text not in diagnostics]
    print(f"ko build: exit status {code}, {len(error_lines)} error line(s) ({seconds:.1f} s)")
    for line in error_lines[:3]:
        print("  " + line)
    problems = []
    if code == 0:
        problems.append("it compiled, but must fail")
    elif crashed(code, output):
        problems.append("the compiler crashed: an internal compiler error is not a diagnostic")
    if missing:
        problems.append("its output lacks " + ", ".join(repr(t) for t in missing))
    if problems:
        ok = False
        print("FAIL ko build: " + "; ".join(problems))
        print("  expected: " + ", ".join(repr(t) for t in expected))
        print("  command: " + " ".join(command))
        print(f"  first {SHOWN_LINES} lines of compiler output:\n" + head(output))
    else:
        print(f"ko build: fails as expected, output has all of {', '.join(repr(t) for t in expected)}")

    print(("PASS " if ok else "FAIL ") + snippet)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
