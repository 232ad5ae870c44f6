#!/usr/bin/env python3
"""Runs one compile-failure snippet as an ok/ko pair (STYLE.md point 21).

    run_compile_fail.py [--ok-flag=FLAG]... SNIPPET COMPILER [FLAGS...]

COMPILER and FLAGS are the compile command without a source file (e.g. `g++ -Iinclude`).
The snippet is compiled with -std=c++20 -fsyntax-only:
  1. plain: it must compile (the snippet is a correct program); the --ok-flag flags are added to
     this build only (meson.build passes a precompiled header of typeflow.hpp);
  2. with -DTYPEFLOW_SHOULD_FAIL: it must fail, and the compiler's output must contain the
     text of every `// expect-error: <substring>` line of the snippet, and of every
     `// expect-error-gcc:` or `// expect-error-clang:` line for the compiler in use (the
     compilers print some names differently);
  3. the failing build's output is measured in characters (the checkout's path taken out, so
     the count does not depend on where the tree lives) and printed; a `// max-chars: N` line
     (or `// max-chars-gcc:` / `// max-chars-clang:`) makes a longer output a failure, so a
     diagnostic cannot silently grow back into pages of nested types.
A compiler crash (internal compiler error) never counts as the expected failure.
Exit status 0 when all hold, 1 otherwise.
"""

import pathlib
import re
import subprocess
import sys
import time

# `// expect-error: text`, or `// expect-error-gcc: text` for one compiler only; likewise max-chars.
EXPECT = re.compile(r"//\s*expect-error(?:-(gcc|clang))?:\s*(.*?)\s*$")
MAX_CHARS = re.compile(r"//\s*max-chars(?:-(gcc|clang))?:\s*(\d+)\s*$")
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
    ok_flags = [a[len("--ok-flag="):] for a in argv[1:] if a.startswith("--ok-flag=")]
    argv = [argv[0]] + [a for a in argv[1:] if not a.startswith("--ok-flag=")]
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    snippet, compiler = argv[1], argv[2:]
    # The snippet by its absolute path, so the output's paths all start with the checkout's root,
    # which the character count leaves out (the count must not depend on where the tree lives).
    snippet = str(pathlib.Path(snippet).resolve())
    root = str(pathlib.Path(snippet).parents[2])
    family = "clang" if is_clang(compiler) else "gcc"
    with open(snippet, encoding="utf-8") as f:
        lines = f.read().splitlines()
    expected = [m.group(2) for m in map(EXPECT.search, lines) if m and m.group(2) and m.group(1) in (None, family)]
    # A compiler's own budget overrides the common one.
    budgets = {m.group(1): int(m.group(2)) for m in map(MAX_CHARS.search, lines) if m}
    max_chars = budgets.get(family, budgets.get(None))
    if not expected:
        print(f"FAIL {snippet}: no `// expect-error: <substring>` line for {family}")
        return 1

    base = compiler + ["-std=c++20", "-fsyntax-only", "-fdiagnostics-color=never"]
    if family == "clang":
        base.append("-fno-crash-diagnostics")  # a crash must not leave reproducer files in /tmp
    ok = True

    # 1. The plain build is a correct program.
    command = base + ok_flags + [snippet]
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
    diagnostics = "\n".join(line for line in output.splitlines() if "expect-error" not in line)
    error_lines = [line for line in output.splitlines() if ERROR_LINE.search(line)]
    missing = [text for text in expected if text not in diagnostics]
    chars = len(output.replace(root + "/", ""))
    budget = f" (max-chars {max_chars})" if max_chars is not None else ""
    print(f"ko build: exit status {code}, {len(error_lines)} error line(s), {chars} chars of output{budget} ({seconds:.1f} s)")
    for line in error_lines[:3]:
        print("  " + line)
    problems = []
    if code == 0:
        problems.append("it compiled, but must fail")
    elif crashed(code, output):
        problems.append("the compiler crashed: an internal compiler error is not a diagnostic")
    if missing:
        problems.append("its output lacks " + ", ".join(repr(t) for t in missing))
    if max_chars is not None and chars > max_chars:
        problems.append(f"its output is {chars} characters, over the snippet's `// max-chars: {max_chars}` "
                        "(shorten the diagnostic, or raise the budget and say why)")
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
