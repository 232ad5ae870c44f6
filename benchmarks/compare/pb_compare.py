#!/usr/bin/env python3
"""Frozen graphs side by side (issue 15): one .pb, five runners, one thread, one process each.

    pb_compare.py BUILD_DIR [--python VENV_PYTHON] [--rounds K] [--out FILE]

BUILD_DIR is a release build of typeflow with the benchmarks (bench_pb, and the .pb and .onnx
files pb_models wrote there at build time). The script runs bench_pb (typeflow's compiled graph,
the header typeflow-import-pb generated from the .pb, and tf::ImportedGraph on the .pb), then,
with the venv's Python, TensorFlow (tf.compat.v1 import_graph_def + Session.run, one thread) and
onnxruntime (on the ONNX file typeflow exported from the same frozen graph, one thread) on the
same inputs, and prints a table of medians and ratios to the compiled graph. Peers that are not
installed are left out and said so. With --rounds K it does so K times, one runner set right
after the other, prints the median over the rounds, and, since this machine's speed drifts by
tens of percent within minutes, the ratio of ImportedGraph to onnxruntime taken within each round
(median, range, rounds in which ImportedGraph was faster). Not part of CI. compare.py runs the same peers (PEER_SCRIPT,
with its thread count as a third argument) for its frozen-graph workloads.
"""

import argparse
import json
import os
import subprocess
import sys

MODELS = {"mlp": (64, 784), "regression": (1000, 3), "chain": (1, 4)}
PEER_SCRIPT = r'''
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
build, models = sys.argv[1], json.loads(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
def inputs(rows, cols):  # bench_pb's LCG, so both sides see the same x
    state, out = 7, []
    for _ in range(rows * cols):
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append((state >> 9) / 8388608.0 - 0.5)
    return np.array(out, dtype=np.float32).reshape(rows, cols)
clock = time.process_time if threads == 1 else time.perf_counter  # CPU time for one thread, else wall
def median_us(f, reps=10):
    f()
    per = []
    for _ in range(reps):
        n, start = 0, clock()
        while clock() - start < 0.2:
            f(); n += 1
        per.append((clock() - start) / n * 1e6)
    return sorted(per)[len(per) // 2]
out = {}
try:
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    for m, (rows, cols) in models.items():
        g = tf.compat.v1.GraphDef()
        g.ParseFromString(open(os.path.join(build, m + ".pb"), "rb").read())
        graph = tf.Graph()
        with graph.as_default():
            tf.import_graph_def(g, name="")
        sess = tf.compat.v1.Session(graph=graph, config=tf.compat.v1.ConfigProto(
            intra_op_parallelism_threads=threads, inter_op_parallelism_threads=1))
        x = inputs(rows, cols)
        out.setdefault(m, {})["tf1_session"] = median_us(lambda: sess.run("op_to_store:0", {"x:0": x}))
except ImportError as e:
    out["missing_tf"] = str(e)
try:
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    for m, (rows, cols) in models.items():
        path = os.path.join(build, m + ".onnx")
        if not os.path.exists(path):
            continue
        s = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
        x = inputs(rows, cols)
        out.setdefault(m, {})["onnxruntime"] = median_us(lambda: s.run(None, {"x": x}))
except ImportError as e:
    out["missing_ort"] = str(e)
print(json.dumps(out))
'''


def run_round(build_dir, python):
    """One run of bench_pb and of the Python peers: {model: {runner: microseconds}}."""
    bench_dir = os.path.join(build_dir, "benchmarks")
    proc = subprocess.run([os.path.join(bench_dir, "bench_pb"), "--benchmark_format=json", "--threads=1"],
                          capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout[proc.stdout.index("{"):])
    results = {m: {} for m in MODELS}
    for b in report["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"].split("/")[0]  # BM_mlp_compiled/repeats:10
        _, model, runner = name.split("_", 2) if name.count("_") >= 2 else (None, None, None)
        if model in results:
            results[model][runner] = b["cpu_time"]  # microseconds (repeat_us)
    peers = subprocess.run([python, "-c", PEER_SCRIPT, bench_dir, json.dumps(MODELS)], capture_output=True, text=True)
    if peers.returncode == 0:
        extra = json.loads(peers.stdout.strip().splitlines()[-1])
        for key in ("missing_tf", "missing_ort"):
            if key in extra:
                print("left out: %s" % extra.pop(key))
        for m, r in extra.items():
            results[m].update(r)
    else:
        print("the Python peers failed:\n" + peers.stderr)
    return results


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir")
    parser.add_argument("--python", default="/opt/typeflow-venv/bin/python")
    parser.add_argument("--rounds", type=int, default=1, help="runs of every runner, one set after the other")
    parser.add_argument("--out", help="also write the table (markdown) here")
    args = parser.parse_args()
    rounds = [run_round(args.build_dir, args.python) for _ in range(max(1, args.rounds))]
    runners = ["compiled", "generated", "imported", "tf1_session", "onnxruntime"]
    lines = ["| model | " + " | ".join(runners) + " |", "|---|" + "---:|" * len(runners)]
    for m in MODELS:
        times = {r: median([x[m][r] for x in rounds]) for r in runners if all(r in x[m] for x in rounds)}
        base = times.get("compiled")
        cells = []
        for r in runners:
            t = times.get(r)
            cells.append("-" if t is None else "%.2f us (%.2fx)" % (t, t / base) if base else "%.2f us" % t)
        lines.append("| %s | %s |" % (m, " | ".join(cells)))
    if len(rounds) > 1:
        lines.append("")
        lines.append("Medians over %d rounds. ImportedGraph / onnxruntime within each round:" % len(rounds))
        for m in MODELS:
            ratios = [x[m]["imported"] / x[m]["onnxruntime"] for x in rounds if "onnxruntime" in x[m]]
            if ratios:
                lines.append("- %s: median %.2fx, %.2fx to %.2fx, ImportedGraph faster in %d of %d" %
                             (m, median(ratios), min(ratios), max(ratios), sum(r < 1 for r in ratios), len(ratios)))
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
