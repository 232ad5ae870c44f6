#!/usr/bin/env python3
"""Where a typeflow translation unit's compile time goes, stage by stage (issue 24).

    benchmarks/compile/time_stages.py [--flags "-std=c++20 -O2 ..."] [--ops 40] [--write-readme]

Compiles two translation units, examples/mlp_classifier.cpp and compile_time.py's generated
chain of --ops elementwise ops (with its gradient and a Session run; 40 by default: clang 14
with -ftime-trace grew past 19 GB on the 80-op chain here and was stopped), with
  - clang++ -ftime-trace: each trace event's own time (its duration less its children's) is
    charged to the stage of the nearest enclosing event that names typeflow code:
      includes          parsing the headers (`Source` events), and what they instantiate;
      graph types       typeflow::graph / op tags / the public op functions (tf::matmul, ...);
      gradients         tf::gradients' walk (walk, adjoint, vjp, unbroadcast) and the optimizers;
      planning          the type-level schedule (topological order, usage, slot types);
      executor          the CPU executor, the fused loop, kernels and Session::run;
      other templates   instantiations no typeflow code encloses (the standard library, xtensor);
      the file itself  the translation unit's own parsing and semantic analysis;
      code generation   LLVM: optimisation and machine code (`Backend`);
  - g++ -ftime-report: its phases (parsing, template instantiation, deferred, opt and generate).
Prints a Markdown table per compiler; --write-readme replaces the table between the markers
`<!-- time_stages:begin -->` and `<!-- time_stages:end -->` in benchmarks/README.md.

Standard library only. Timings move with the machine's load (10-20% here): compare stages within
one run, not across runs.
"""

import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compile_time import REPO, chain_source, compile_once  # noqa: E402  (the same chain and runner)

STAGES = ["includes", "graph types", "gradients", "planning", "executor", "other templates",
          "the file itself", "code generation"]

# The first rule whose pattern matches an instantiation's name (template arguments removed) names
# its stage; order matters (typeflow::detail holds both the gradient walk and traversal helpers).
RULES = [
    ("gradients", re.compile(r"typeflow::(gradients|unbroadcast|detail::(walk|adjoint|passed_down|handed_to|keyed|"
                             r"gradient|ones_like|add_gradients|contribution|require_dependence|wrt|in_reverse)|"
                             r"depends_on_v|train::)|::vjp$")),
    ("planning", re.compile(r"typeflow::(eval::(schedule|slots_tuple|runs_on_cpu)|topo_order|filter|use_counts|"
                            r"position_v|contains_v|type_list|detail::(collect|topo|index_table|unique))")),
    ("executor", re.compile(r"typeflow::(eval::|kernels::|Session|session)")),
    ("graph types", re.compile(r"typeflow::")),
]
INSTANTIATION = {"InstantiateFunction", "InstantiateClass"}


def stage_of(name):
    name = re.sub(r"<.*", "", name)  # the template's name, not its arguments
    for stage, pattern in RULES:
        if pattern.search(name):
            return stage
    return None


def charge(trace_path):
    """Seconds per stage from one -ftime-trace file, and the compiler's total."""
    events = [e for e in json.load(open(trace_path))["traceEvents"]
              if e.get("ph") == "X" and not e["name"].startswith("Total ")]
    events.sort(key=lambda e: (e["tid"], e["ts"], -e["dur"]))
    seconds = dict.fromkeys(STAGES, 0.0)
    total = 0.0
    stack = []  # [event, own microseconds, stage]
    for e in events:
        while stack and (stack[-1][0]["tid"] != e["tid"] or stack[-1][0]["ts"] + stack[-1][0]["dur"] <= e["ts"]):
            done = stack.pop()
            if done[2]:
                seconds[done[2]] += done[1] / 1e6
        inherited = stack[-1][2] if stack else None
        if stack:
            stack[-1][1] -= e["dur"]
        name = e["name"]
        if name == "ExecuteCompiler":
            total = e["dur"] / 1e6
            here = None
        elif name == "Frontend":
            here = "the file itself"
        elif name == "Backend":
            here = "code generation"
        elif name == "Source" or inherited == "includes":
            here = "includes"
        elif name in INSTANTIATION:
            here = stage_of(e.get("args", {}).get("detail", ""))
            if here is None:  # std or xtensor: charged to the typeflow code that asked for it
                here = inherited if inherited not in (None, "the file itself") else "other templates"
        else:
            here = inherited
        stack.append([e, e["dur"], here])
    for done in stack:
        if done[2]:
            seconds[done[2]] += done[1] / 1e6
    return seconds, total


def gcc_phases(report):
    """Wall seconds of g++'s -ftime-report phases (each line: user, system and wall seconds)."""
    phases = {}
    for line in report.splitlines():
        m = re.match(r"\s*(phase [a-z .]+?|template instantiation|TOTAL)\s*:(.*)", line)
        numbers = re.findall(r"(\d+\.\d+)", m.group(2)) if m else []
        if len(numbers) >= 3:
            phases[m.group(1).strip()] = float(numbers[2])
    return phases


def run(cmd):
    """Compiles (compile_time.py's runner: at most 10 minutes); returns wall seconds and stderr."""
    wall, _, _, returncode, stderr, timed_out = compile_once(cmd, 600.0)
    if returncode != 0 or timed_out:
        sys.exit("compile failed%s: %s\n%s" % (" (timed out)" if timed_out else "", shlex.join(cmd), stderr[-4000:]))
    return wall, stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flags", default="-std=c++20 -O2 -march=native -DXTENSOR_USE_XSIMD", help="compiler flags")
    parser.add_argument("--ops", type=int, default=40, help="length of the generated chain (default 40)")
    parser.add_argument("--write-readme", action="store_true", help="replace the table in benchmarks/README.md")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="typeflow-stages-")
    work = Path(tmp.name)
    chain = work / ("chain%d.cpp" % args.ops)
    chain.write_text(chain_source(args.ops))
    units = [("examples/mlp_classifier.cpp", REPO / "examples" / "mlp_classifier.cpp",
              ["-DTYPEFLOW_EXAMPLE_DATA_DIR=\"%s\"" % (REPO / "examples" / "data")]),
             ("%d-op chain (compile_time.py)" % args.ops, chain, [])]
    flags = shlex.split(args.flags) + ["-I%s" % (REPO / "include"), "-I%s" % (REPO / "examples")]

    clang_version = subprocess.run(["clang++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    gcc_version = subprocess.run(["g++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    clang_rows, gcc_rows = [], []
    for label, src, extra in units:
        obj = work / (src.stem + ".o")
        wall, _ = run(["clang++", *flags, *extra, "-ftime-trace", "-ftime-trace-granularity=200", "-c", str(src),
                       "-o", str(obj)])
        seconds, total = charge(obj.with_suffix(".json"))
        clang_rows.append((label, wall, total, seconds))
        print("clang++ %s: %.1f s" % (label, wall), file=sys.stderr)
        wall, report = run(["g++", *flags, *extra, "-ftime-report", "-c", str(src), "-o", str(obj)])
        gcc_rows.append((label, wall, gcc_phases(report)))
        print("g++ %s: %.1f s" % (label, wall), file=sys.stderr)

    lines = ["`%s`, flags `%s`:" % (clang_version, args.flags), "",
             "| stage (clang, own time of each trace event, s) | " + " | ".join(r[0] for r in clang_rows) + " |",
             "|---|" + "---:|" * len(clang_rows)]
    for stage in STAGES:
        lines.append("| %s | %s |" % (stage, " | ".join(
            "%.1f (%d%%)" % (r[3][stage], round(100 * r[3][stage] / r[2])) for r in clang_rows)))
    lines.append("| **total** (wall) | %s |" % " | ".join("%.1f (%.1f)" % (r[2], r[1]) for r in clang_rows))
    lines += ["", "`%s`, `-ftime-report` (wall s):" % gcc_version, "",
              "| phase (g++) | " + " | ".join(r[0] for r in gcc_rows) + " |", "|---|" + "---:|" * len(gcc_rows)]
    for phase in ["phase parsing", "phase lang. deferred", "template instantiation", "phase opt and generate",
                  "TOTAL"]:
        label = phase.replace("phase ", "") + (" (within the two above)" if phase == "template instantiation" else "")
        lines.append("| %s | %s |" % (label, " | ".join("%.1f" % r[2].get(phase, float("nan")) for r in gcc_rows)))
    table = "\n".join(lines)
    print(table)

    if args.write_readme:
        readme = REPO / "benchmarks" / "README.md"
        text = readme.read_text()
        begin, end = "<!-- time_stages:begin -->", "<!-- time_stages:end -->"
        if begin not in text or end not in text:
            sys.exit("benchmarks/README.md has no %s ... %s markers" % (begin, end))
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(head + begin + "\n" + table + "\n" + end + tail)
        print("wrote %s" % readme, file=sys.stderr)


if __name__ == "__main__":
    main()
