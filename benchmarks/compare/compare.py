#!/usr/bin/env python3
"""typeflow next to the frameworks a user would pick instead, in one command:

    python3 benchmarks/compare/compare.py [--build-dir DIR] [--venv DIR] [--out DIR] [--quick] [--only W1,W2]

1. builds the C++ benchmarks (Meson, release, -march=native) in --build-dir (default
   /tmp/typeflow-compare-build) and runs them with Google Benchmark's JSON output, random
   interleaving and 10 repetitions;
2. creates or reuses a virtual environment outside the source tree (--venv, default
   ~/.cache/typeflow-bench-venv) and installs numpy, tensorflow-cpu, jax[cpu] and torch from PyPI
   into it; a peer that does not install is reported and left out;
3. runs every workload for typeflow and each peer, with one thread and with all cores:
   typeflow, the hand-written C++ loop (the limit), xtensor with materialised temporaries,
   Eigen 3.4, OpenBLAS, NumPy, TensorFlow's TF1 graph program through tf.compat.v1.Session,
   TensorFlow tf.function(jit_compile=True), JAX jax.jit and PyTorch eager (peers.py);
4. writes results.md (medians, ratios to typeflow and to the hand-written code, the issue's
   targets), results.png and results.json into --out (default /tmp/typeflow-compare), and
   prints the table and the targets, met or missed.

With one thread the times are medians of the process's CPU time (all its threads); with all cores,
medians of wall time. Not part of CI.

With --sweep it runs instead the scaling sweeps (workloads 1, 3 and 4 against problem size: the
chain over 2^16 ... 2^26 floats against Eigen and a memcpy, the MLP step at batch 1 ... 4096
against Eigen, square sgemm n = 64 ... 2048 against OpenBLAS), with one thread and all cores, and
writes scaling.md, scaling.json and the chart scaling.png into --out.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import peers as P  # noqa: E402  (for its lists; runs nothing)

CPP_BENCHES = {
    # binary: Google Benchmark filter
    "bench_compare": "BM_chain_(typeflow|hand|xtensor_temporaries|eigen|copy)/|BM_linreg_|BM_gemm_(typeflow|typeflow_kernel|eigen|openblas)/",
    "bench_linear_regression": "BM_linear_regression_(typeflow|hand)_train",
    "bench_mlp": "BM_mlp_(typeflow|hand|eigen)<784>|BM_grad_ratio",
    "bench_eager": "BM_(eager_add_8|eager_taped_100|hand_add_8)$",
    "bench_conv": "BM_(conv_layer|cnn_step)_",
    "bench_pb": "BM_(mlp|regression|chain)_(compiled|generated|imported)/",
}
# The workloads each binary measures, for --only.
CPP_WORKLOADS = {"bench_compare": ("chain", "linreg", "gemm_"), "bench_linear_regression": ("linreg",),
                 "bench_mlp": ("mlp784", "ratio_"), "bench_eager": ("eager_",), "bench_conv": ("conv_layer", "cnn_step"),
                 "bench_pb": ("pb_",)}
# bench_compare's benchmarks per workload, so that --only runs no others.
BENCH_COMPARE_FILTERS = {"chain": "BM_chain_(typeflow|hand|xtensor_temporaries|eigen|copy)/", "linreg": "BM_linreg_",
                         "gemm_": "BM_gemm_(typeflow|typeflow_kernel|eigen|openblas)/"}
PIP_PACKAGES = [("numpy", "numpy"), ("tensorflow-cpu", "tensorflow"), ("jax[cpu]", "jax"), ("torch", "torch"),
                ("onnxruntime", "onnxruntime")]
PEER_NEEDS = {"numpy": "numpy", "tf1_session": "tensorflow", "tf_jit": "tensorflow", "jax_jit": "jax", "torch_eager": "torch",
              "tf_eager": "tensorflow", "jax_eager": "jax"}

# Column order and display names.
PEER_NAMES = {
    "typeflow": "typeflow",
    "hand": "hand-written C++",
    "copy": "memcpy of the same bytes",
    "typeflow_kernel": "typeflow kernels::matmul",
    "typeflow_generated": "typeflow, header generated from the .pb",
    "typeflow_imported": "typeflow tf::ImportedGraph",
    "xtensor": "xtensor, temporaries",
    "eigen": "Eigen 3.4",
    "openblas": "OpenBLAS",
    "numpy": "NumPy",
    "tf1_session": "TF1 Session",
    "tf_jit": "TF jit_compile",
    "jax_jit": "JAX jit",
    "torch_eager": "PyTorch eager",
    "tf_eager": "TF2 eager",
    "jax_eager": "JAX without jit",
    "onnxruntime": "onnxruntime (typeflow's ONNX export)",
}
WORKLOAD_TITLES = {
    "chain": "1. Elementwise chain, 8 ops incl. exp and tanh, 2^24 floats",
    "linreg": "2. Linear-regression GD step, N = 1000, 3 features",
    "mlp784": "3. MLP training step, batch 64, 784-128-10, softmax cross-entropy, Adam",
    "eager_op": "6. One eager op, a + b on 8 floats (dispatch cost)",
    "eager_taped_100": "6. A gradient tape, then 100 recorded eager ops a + b on 8 floats",
    "conv_layer": "7. Conv layer 3x3 \"SAME\", 32 -> 64 channels, 28x28, batch 64: y and both gradients "
                  "(hand-written: the layer's three GEMMs alone, on ready patch matrices)",
    "pb_mlp": "9. Frozen graph: MLP 784-128-10 inference, batch 64, from one .pb",
    "pb_regression": "9. Frozen graph: the regression's prediction, 1000 rows, from one .pb",
    "pb_chain": "9. Frozen graph: a 10-op elementwise chain on one row (the fixed cost of a run)",
    "cnn_step": "8. CNN training step: TF's deep-MNIST CNN (conv 5x5 32, pool, conv 5x5 64, pool, dense 128), batch 64, Adam",
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run(cmd, env=None, check=True, capture=False, **kw):
    log("+ " + " ".join(cmd))
    return subprocess.run(cmd, env=env, check=check, text=True,
                          stdout=subprocess.PIPE if capture else None, **kw)


# ---------------------------------------------------------------------------------------------
# C++

def build(build_dir, jobs, binaries):
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        run(["meson", "setup", build_dir, SOURCE, "-Dbuildtype=release", "-Dnative=true", "-Dbenchmarks=true",
             "-Dtests=false", "-Dexamples=false", "-Dtools=true"])  # tools: typeflow-import-pb, for bench_pb
    run(["ninja", "-C", build_dir, "-j%d" % jobs] + ["benchmarks/" + b for b in binaries])


def openblas_env(build_dir):
    """The environment for OpenBLAS's best kernel: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset
    (an environment may pin an older kernel); if OpenBLAS then does not recognise the CPU (Debian's
    0.3.21 falls back to Prescott on Sapphire Rapids), the newest core type the CPU's flags allow."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    lib = None
    try:
        ldd = run(["ldd", os.path.join(build_dir, "benchmarks", "bench_compare")], capture=True).stdout
        lib = re.search(r"libopenblas[^ ]* => (\S+)", ldd).group(1)
    except Exception:
        return env, "unknown"

    def core(extra):
        e = dict(env, **extra)
        probe = ("import ctypes; l = ctypes.CDLL(%r); l.openblas_get_corename.restype = ctypes.c_char_p; "
                 "print(l.openblas_get_corename().decode())" % lib)
        r = subprocess.run([sys.executable, "-c", probe], env=e, capture_output=True, text=True)
        return r.stdout.strip()

    detected = core({})
    flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    preference = []
    if "avx512f" in flags:
        preference = (["SapphireRapids", "Cooperlake"] if "avx512_bf16" in flags else []) + ["SkylakeX"]
    if "avx2" in flags:
        preference.append("Haswell")
    generic = detected.lower() in ("prescott", "core2", "penryn", "dunnington", "nehalem", "katmai", "coppermine", "northwood", "banias", "")
    if generic:
        for name in preference:
            got = core({"OPENBLAS_CORETYPE": name})
            if got.lower() == name.lower():
                env["OPENBLAS_CORETYPE"] = name
                return env, "%s (forced: autodetection gave %s)" % (got, detected)
    return env, detected


def binaries_for(only):
    """The benchmark binaries that measure a workload of `only` (all of them when it is empty)."""
    return [b for b in CPP_BENCHES if not only or any(w.startswith(p) for w in only for p in CPP_WORKLOADS[b])]


def run_cpp(build_dir, threads, quick, out_dir, base_env, only):
    env = dict(base_env, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads), TYPEFLOW_BENCH_THREADS=str(threads))
    results, context = {}, {}
    for binary in binaries_for(only):
        flt = CPP_BENCHES[binary]
        if binary == "bench_compare" and only:
            flt = "|".join(f for w, f in BENCH_COMPARE_FILTERS.items() if any(o.startswith(w) for o in only))
        json_path = os.path.join(out_dir, "raw", "%s-%dthreads.json" % (binary, threads))
        cmd = [os.path.join(build_dir, "benchmarks", binary), "--threads=%d" % threads, "--benchmark_filter=" + flt,
               "--benchmark_enable_random_interleaving=true", "--benchmark_out=" + json_path, "--benchmark_out_format=json"]
        if quick:
            cmd.append("--benchmark_min_time=0.05")
        r = run(cmd, env=env, check=False, capture=True)
        if r.returncode != 0 or not os.path.exists(json_path):
            log("%s failed (exit %d)" % (binary, r.returncode))
            continue
        data = json.load(open(json_path))
        context.update({k: v for k, v in data["context"].items() if k in ("openblas_core", "typeflow_threads", "library_build_type")})
        for b in data["benchmarks"]:
            if b.get("aggregate_name") != "median":
                continue
            key = cpp_key(b["run_name"])
            if key is None:
                continue
            results.setdefault(key[0], {})[key[1]] = seconds_of(b, threads)
    return results, context


def seconds_of(bench, threads):
    """A Google Benchmark median in seconds: CPU time with one thread, wall time with more."""
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[bench["time_unit"]]
    return (bench["cpu_time"] if threads == 1 else bench["real_time"]) * scale


def cpp_key(run_name):
    """Google Benchmark run name -> (workload, peer)."""
    name = run_name.split("/repeats")[0]
    m = re.match(r"BM_gemm_(\w+?)/m:(\d+)/k:(\d+)/n:(\d+)", name)
    if m:
        return "gemm_%sx%sx%s" % m.group(2, 3, 4), m.group(1)
    m = re.match(r"BM_chain_(typeflow|hand|xtensor_temporaries|eigen|copy)$", name)
    if m:
        return "chain", {"xtensor_temporaries": "xtensor"}.get(m.group(1), m.group(1))
    m = re.match(r"BM_linreg_(eigen|openblas)$", name)
    if m:
        return "linreg", m.group(1)
    m = re.match(r"BM_linear_regression_(typeflow|hand)_train$", name)
    if m:
        return "linreg", m.group(1)
    m = re.match(r"BM_mlp_(typeflow|hand|eigen)<784>$", name)
    if m:
        return "mlp784", m.group(1)
    m = re.match(r"BM_(eager_add_8|hand_add_8|eager_taped_100)$", name)
    if m:
        return ("eager_taped_100", "typeflow") if m.group(1) == "eager_taped_100" else (
            "eager_op", "hand" if m.group(1) == "hand_add_8" else "typeflow")
    m = re.match(r"BM_(conv_layer|cnn_step)_(typeflow|gemm)$", name)
    if m:
        return m.group(1), "typeflow" if m.group(2) == "typeflow" else "hand"
    m = re.match(r"BM_(mlp|regression|chain)_(compiled|generated|imported)$", name)
    if m:
        return "pb_" + m.group(1), {"compiled": "typeflow", "generated": "typeflow_generated",
                                     "imported": "typeflow_imported"}[m.group(2)]
    m = re.match(r"BM_grad_ratio_(mlp64|chain50)_(loss|loss_and_gradients)$", name)
    if m:
        return "ratio_%s_%s" % (m.group(1), "loss" if m.group(2) == "loss" else "loss_grad"), "typeflow"
    return None


# ---------------------------------------------------------------------------------------------
# Python peers

def prepare_venv(venv, install):
    """Create the venv if needed, install what is missing; return (python, {module: version or None}, notes)."""
    py = os.path.join(venv, "bin", "python")
    notes = []
    if not os.path.exists(py):
        if not install:
            return None, {}, ["no virtual environment at %s (--no-install)" % venv]
        base = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        r = run([base, "-m", "venv", venv], check=False)
        if r.returncode != 0:
            return None, {}, ["could not create the virtual environment %s" % venv]
    available = {}
    for package, module in PIP_PACKAGES:
        probe = subprocess.run([py, "-c", "import %s; print(%s.__version__)" % (module, module)], capture_output=True, text=True)
        if probe.returncode != 0 and install:
            r = run([py, "-m", "pip", "install", "--quiet", package], check=False)
            if r.returncode != 0:
                notes.append("pip install %s failed" % package)
            probe = subprocess.run([py, "-c", "import %s; print(%s.__version__)" % (module, module)], capture_output=True, text=True)
        available[module] = probe.stdout.strip().splitlines()[-1] if probe.returncode == 0 and probe.stdout.strip() else None
        if available[module] is None:
            notes.append("%s is not importable in %s: its peers are left out" % (module, venv))
    return py, available, notes


def run_python_peer(py, peer, threads, quick, out_dir, base_env, only):
    env = dict(base_env)
    n = str(threads)
    env.update(OMP_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n, MKL_NUM_THREADS=n, TF_NUM_INTRAOP_THREADS=n, TF_NUM_INTEROP_THREADS=n,
               TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="", JAX_PLATFORMS="cpu")
    env.pop("OPENBLAS_CORETYPE", None)  # NumPy's own OpenBLAS picks its kernel
    env.pop("OPENBLAS_L2_SIZE", None)
    if threads == 1:
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()
    out = os.path.join(out_dir, "raw", "%s-%dthreads.json" % (peer, threads))
    cmd = [py, os.path.join(HERE, "peers.py"), "--peer", peer, "--threads", n, "--out", out]
    if only:
        cmd += ["--only", ",".join(only)]
    if quick:
        cmd += ["--reps", "5", "--min-time", "0.05"]
    if threads == 1 and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(sorted(os.sched_getaffinity(0))[-1])] + cmd
    r = run(cmd, env=env, check=False)
    if r.returncode != 0 or not os.path.exists(out):
        return {}, {"run": "exit status %d" % r.returncode}, {}
    data = json.load(open(out))
    return {w: v["median_s"] for w, v in data["results"].items()}, data["errors"], data.get("versions", {})


def run_pb_peers(py, build_dir, threads, base_env):
    """TF1 (import_graph_def + Session) and onnxruntime on the .pb and .onnx files bench_pb runs
    (pb_compare.py's peer script): {workload: {peer: seconds}}, and notes."""
    import pb_compare
    env = dict(base_env, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    r = subprocess.run([py, "-c", pb_compare.PEER_SCRIPT, os.path.join(build_dir, "benchmarks"), json.dumps(pb_compare.MODELS),
                        str(threads)], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        return {}, ["frozen-graph peers failed: %s" % (r.stderr.strip().splitlines() or ["?"])[-1]]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    notes = ["frozen-graph peers: %s" % out.pop(k) for k in ("missing_tf", "missing_ort") if k in out]
    return {"pb_" + m: {p: us * 1e-6 for p, us in v.items()} for m, v in out.items()}, notes


# ---------------------------------------------------------------------------------------------
# Report

def fmt_time(s):
    if s is None:
        return "n/a"
    for unit, f in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if s >= f:
            return "%.3g %s" % (s / f, unit)
    return "%.3g ns" % (s / 1e-9)


def fmt_ratio(a, b):
    if a is None or b is None:
        return "n/a"
    r = a / b
    return ("%.2fx" if r < 10 else "%.0fx") % r


def peers_for(workload, res):
    order = list(PEER_NAMES)
    return [p for p in order if any(p in res[t].get(workload, {}) for t in res)]


def table_workload(res, threads_list, workload, all_peers):
    head = "| peer | " + " | ".join("%s | / typeflow | / hand" % ("1 thread" if t == 1 else "%d threads" % t) for t in threads_list) + " |"
    lines = [head, "|---|" + "---:|---:|---:|" * len(threads_list)]
    for p in all_peers:
        cells = []
        for t in threads_list:
            r = res[t].get(workload, {})
            v = r.get(p)
            cells += [fmt_time(v), fmt_ratio(v, r.get("typeflow")), fmt_ratio(v, r.get("hand"))]
        lines.append("| %s | %s |" % (PEER_NAMES[p], " | ".join(cells)))
    return lines


def report(res, threads_list, meta, available_peers):
    cpp_peers = ["typeflow", "hand", "xtensor", "eigen", "openblas"]
    shown = cpp_peers + [p for p in P.PEERS if p in available_peers]
    md = ["# typeflow and its peers", "",
          "%s, %s. %s. typeflow threads: the Session's `intra_op_parallelism_threads`. One thread: medians "
          "of process CPU time; %d threads: medians of wall time. Ratios are the peer's time over typeflow's "
          "(above 1: typeflow is faster) and over the hand-written code's. n/a: the peer does not apply "
          "(or failed its check, see the notes)." % (meta["date"], meta["machine"], meta["setting"], threads_list[-1]), ""]
    for w in ("chain", "linreg", "mlp784"):
        rows = shown + ["copy"] if w == "chain" else shown  # the chain's memory-bandwidth limit
        md += ["## " + WORKLOAD_TITLES[w], ""] + table_workload(res, threads_list, w, rows) + [""]
    md += ["## 4. GEMM, C[m x n] = A[m x k] B[k x n] (time and GFLOP/s)", ""]
    gemm_peers = ["typeflow", "typeflow_kernel", "eigen", "openblas"] + [p for p in P.PEERS if p in available_peers]
    for t in threads_list:
        md += ["%s:" % ("One thread" if t == 1 else "%d threads" % t), "",
               "| m x k x n | " + " | ".join(PEER_NAMES[p] for p in gemm_peers) + " | typeflow / OpenBLAS |",
               "|---|" + "---:|" * (len(gemm_peers) + 1)]
        for m, k, n in P.GEMM_SHAPES:
            w = "gemm_%dx%dx%d" % (m, k, n)
            r = res[t].get(w, {})
            cells = []
            for p in gemm_peers:
                v = r.get(p)
                cells.append("n/a" if v is None else "%s (%.3g)" % (fmt_time(v), 2 * m * k * n / v / 1e9))
            md.append("| %dx%dx%d | %s | %s |" % (m, k, n, " | ".join(cells), fmt_ratio(r.get("typeflow"), r.get("openblas"))))
        md.append("")
    for w in ("eager_op", "eager_taped_100"):
        md += ["## " + WORKLOAD_TITLES[w], ""] + table_workload(res, threads_list, w, ["typeflow", "hand"] + [
            p for p in ("torch_eager", "tf_eager", "jax_eager") if p in available_peers]) + [""]
    for w in ("conv_layer", "cnn_step"):
        md += ["## " + WORKLOAD_TITLES[w], ""] + table_workload(res, threads_list, w, ["typeflow", "hand"] + [
            p for p in ("tf1_session", "tf_jit", "jax_jit", "torch_eager") if p in available_peers]) + [""]
    for w in ("pb_mlp", "pb_regression", "pb_chain"):  # typeflow: the model compiled as types (issue 15)
        md += ["## " + WORKLOAD_TITLES[w], ""] + table_workload(res, threads_list, w, [
            "typeflow", "typeflow_generated", "typeflow_imported", "tf1_session", "onnxruntime"]) + [""]
    md += ["## 5. Loss and all gradients over the loss alone (cheap-gradient ratio)", "",
           "MLP 64-128-10 (batch 64) and 10 times `t = exp(tanh(t) * v + 0.5) * 0.5` on 2^16 floats (50 ops). "
           "Loss alone: TF1 `sess.run(loss)`, jitted loss, PyTorch under `no_grad`; with gradients: "
           "`sess.run([loss] + tf.gradients(...))`, `GradientTape`, `jax.value_and_grad`, `torch.autograd.grad`.", "",
           "| peer | " + " | ".join("%s: %s loss | with gradients | ratio" % ("1 thr" if t == 1 else "%d thr" % t, model)
                                     for t in threads_list for model in ("MLP", "chain")) + " |",
           "|---|" + "---:|---:|---:|" * 2 * len(threads_list)]
    for p in ["typeflow"] + [p for p in P.PEERS if p in available_peers and p != "numpy"]:
        cells = []
        for t in threads_list:
            for model in ("mlp64", "chain50"):
                a = res[t].get("ratio_%s_loss" % model, {}).get(p)
                b = res[t].get("ratio_%s_loss_grad" % model, {}).get(p)
                cells += [fmt_time(a), fmt_time(b), fmt_ratio(b, a)]
        md.append("| %s | %s |" % (PEER_NAMES[p], " | ".join(cells)))
    md.append("")
    verdicts = targets(res, threads_list)
    md += ["## Targets (issue 5; the gradient ratio: issue 3; eager: issue 16; convolutions: issue 21; frozen graphs: issue 15)",
           ""] + ["- " + v for v in verdicts] + [""]
    if meta["notes"]:
        md += ["## Notes", ""] + ["- " + n for n in meta["notes"]] + [""]
    return "\n".join(md), verdicts


def targets(res, threads_list):
    out = []

    def get(t, w, p):
        return res[t].get(w, {}).get(p)

    def verdict(ok):
        return "n/a (not measured)" if ok is None else ("**met**" if ok else "**missed**")

    def cmp(a, b, op, bound):
        if a is None or b is None:
            return None, None
        r = a / b
        return r, (r <= bound if op == "<=" else r >= bound if op == ">=" else r > bound)

    for t in threads_list:
        tag = "1 thread" if t == 1 else "%d threads" % t
        checks = [
            ("1", "chain: typeflow / hand-written <= 1.1", get(t, "chain", "typeflow"), get(t, "chain", "hand"), "<=", 1.1),
            ("1", "chain: NumPy / typeflow >= 5", get(t, "chain", "numpy"), get(t, "chain", "typeflow"), ">=", 5),
            ("1", "chain: typeflow / Eigen <= 1.0 (issue 22)", get(t, "chain", "typeflow"), get(t, "chain", "eigen"), "<=", 1.0),
            ("1", "chain: typeflow / TF jit_compile <= 1.0 (issue 22)", get(t, "chain", "typeflow"), get(t, "chain", "tf_jit"), "<=",
             1.0),
            ("2", "linreg: typeflow / hand-written <= 1.5", get(t, "linreg", "typeflow"), get(t, "linreg", "hand"), "<=", 1.5),
            ("2", "linreg: JAX jit / typeflow >= 20", get(t, "linreg", "jax_jit"), get(t, "linreg", "typeflow"), ">=", 20),
            ("2", "linreg: TF1 Session / typeflow >= 20", get(t, "linreg", "tf1_session"), get(t, "linreg", "typeflow"), ">=", 20),
            ("3", "mlp784: typeflow / hand-written <= 1.3", get(t, "mlp784", "typeflow"), get(t, "mlp784", "hand"), "<=", 1.3),
            ("3", "mlp784: JAX jit / typeflow > 1", get(t, "mlp784", "jax_jit"), get(t, "mlp784", "typeflow"), ">", 1),
        ]
        if t == 1:  # the kernel targets are single-thread ones
            for m, k, n in P.GEMM_SHAPES:
                w = "gemm_%dx%dx%d" % (m, k, n)
                if (m == k == n and m >= 256) or (m, k, n) == (64, 784, 128):
                    bound = 0.7 if m == k == n else 0.9
                    checks.append(("4", "GEMM %dx%dx%d: typeflow GFLOP/s >= %d%% of OpenBLAS's" % (m, k, n, bound * 100),
                                   get(t, w, "openblas"), get(t, w, "typeflow"), ">=", bound))
                elif (m, k, n) in ((1000, 3, 1), (64, 128, 10)):
                    checks.append(("4", "GEMM %dx%dx%d: typeflow faster than OpenBLAS" % (m, k, n),
                                   get(t, w, "openblas"), get(t, w, "typeflow"), ">", 1))
        checks += [
            ("6", "eager op: typeflow under 0.5 us", get(t, "eager_op", "typeflow"), 0.5e-6, "<=", 1),
            ("6", "eager op with a tape: typeflow under 1 us", get(t, "eager_taped_100", "typeflow"), 100e-6, "<=", 1),
            ("6", "eager op: PyTorch eager / typeflow > 1", get(t, "eager_op", "torch_eager"), get(t, "eager_op", "typeflow"),
             ">", 1),
            ("6", "eager op: TF2 eager / typeflow > 1", get(t, "eager_op", "tf_eager"), get(t, "eager_op", "typeflow"), ">", 1),
        ]
        for w in ("conv_layer", "cnn_step"):  # issue 21: within 1.2x of the fastest peer on one thread, ahead of TF1
            fastest = [v for p, v in res[t].get(w, {}).items() if p in ("tf1_session", "tf_jit", "jax_jit", "torch_eager")]
            if t == 1:
                checks.append(("7/8", "%s: typeflow / the fastest of TF1, TF jit, JAX, PyTorch <= 1.2" % w, get(t, w, "typeflow"),
                               min(fastest) if fastest else None, "<=", 1.2))
            checks.append(("7/8", "%s: TF1 Session / typeflow > 1" % w, get(t, w, "tf1_session"), get(t, w, "typeflow"), ">", 1))
        checks += [  # issue 15
            ("9", "pb_mlp: ImportedGraph / compiled graph <= 1.3", get(t, "pb_mlp", "typeflow_imported"),
             get(t, "pb_mlp", "typeflow"), "<=", 1.3),
            ("9", "pb_mlp: onnxruntime / ImportedGraph > 1", get(t, "pb_mlp", "onnxruntime"), get(t, "pb_mlp", "typeflow_imported"),
             ">", 1),
            ("9", "pb_mlp: generated header / compiled graph <= 1.05", get(t, "pb_mlp", "typeflow_generated"),
             get(t, "pb_mlp", "typeflow"), "<=", 1.05),
            ("9", "pb_chain: ImportedGraph's run under 2 us", get(t, "pb_chain", "typeflow_imported"), 2e-6, "<=", 1),
        ]
        for model in ("mlp64", "chain50"):
            checks.append(("5", "%s: typeflow loss and gradients / loss <= 3" % model, get(t, "ratio_%s_loss_grad" % model, "typeflow"),
                           get(t, "ratio_%s_loss" % model, "typeflow"), "<=", 3))
        for target, text, a, b, op, bound in checks:
            r, ok = cmp(a, b, op, bound)
            out.append("%s, target %s: %s: %s" % (tag, target, text, verdict(ok) if r is None else "%s (measured %.2f)" % (verdict(ok), r)))
    return out


# ---------------------------------------------------------------------------------------------
# Scaling (--sweep): time against problem size for typeflow and its best C++ peer, 1 and N threads

SWEEPS = [  # (binary, filter, panel): the *_sweep_* benchmarks of bench_compare and bench_mlp
    ("bench_compare", "BM_chain_sweep_", "chain"),
    ("bench_mlp", "BM_mlp_sweep_", "mlp"),
    ("bench_compare", "BM_gemm_sweep_", "gemm"),
]
SWEEP_PANELS = {  # title, x label, y label, unit of the rate
    "chain": ("1. 8-op chain: GB/s read and written against floats", "floats (log2)", "GB/s, higher is better", "GB/s"),
    "mlp": ("3. MLP 784-128-10 Adam step: samples per second against batch", "batch (log2)",
            "samples per second (log), higher is better", "samples/s"),
    "gemm": ("4. Square sgemm: GFLOP/s against n", "n (log2)", "GFLOP/s, higher is better", "GFLOP/s"),
}
SWEEP_PEERS = {"typeflow": "typeflow", "eigen": "Eigen 3.4", "copy": "memcpy (the bandwidth limit)", "openblas": "OpenBLAS"}


def run_sweeps(build_dir, threads_list, out_dir, base_env):
    """{panel: {peer: {threads: [(size, seconds)]}}} from the sweep benchmarks."""
    res = {}
    for t in threads_list:
        env = dict(base_env, OMP_NUM_THREADS=str(t), OPENBLAS_NUM_THREADS=str(t), TYPEFLOW_BENCH_THREADS=str(t))
        for binary, flt, panel in SWEEPS:
            json_path = os.path.join(out_dir, "raw", "sweep-%s-%s-%dthreads.json" % (panel, binary, t))
            run([os.path.join(build_dir, "benchmarks", binary), "--threads=%d" % t, "--benchmark_filter=" + flt,
                 "--benchmark_repetitions=5", "--benchmark_min_time=0.2", "--benchmark_enable_random_interleaving=true",
                 "--benchmark_out=" + json_path, "--benchmark_out_format=json"], env=env, check=False, capture=True)
            if not os.path.exists(json_path):
                continue
            for b in json.load(open(json_path))["benchmarks"]:
                if b.get("aggregate_name") != "median":
                    continue
                m = re.match(r"BM_\w+?_sweep_(\w+)/(?:n|m|batch):(\d+)", b["run_name"])
                if not m:
                    continue
                res.setdefault(panel, {}).setdefault(m.group(1), {}).setdefault(t, []).append(
                    (int(m.group(2)), seconds_of(b, t)))
    for panel in res.values():
        for by_threads in panel.values():
            for points in by_threads.values():
                points.sort()
    return res


def sweep_rate(panel, size, seconds):
    """What the chart plots: GB/s for the chain (read and write), samples/s for the MLP, GFLOP/s for GEMM."""
    if panel == "chain":
        return 2 * 4 * size / seconds / 1e9
    if panel == "mlp":
        return size / seconds
    return 2.0 * size ** 3 / seconds / 1e9


def sweep_report(res, meta):
    md = ["# typeflow's scaling", "", "%s, %s. Medians of 5 (one thread: CPU time; more: wall time)." % (meta["date"], meta["machine"]), ""]
    for panel, (title, _, _, unit) in SWEEP_PANELS.items():
        peers = res.get(panel, {})
        if not peers:
            continue
        threads = sorted({t for by in peers.values() for t in by})
        sizes = sorted({s for by in peers.values() for pts in by.values() for s, _ in pts})
        cols = [(p, t) for p in SWEEP_PEERS if p in peers for t in threads]
        md += ["## " + title, "", "| size | " + " | ".join("%s, %d thr" % (SWEEP_PEERS[p], t) for p, t in cols) + " |",
               "|---:|" + "---:|" * len(cols)]
        for size in sizes:
            cells = []
            for p, t in cols:
                v = dict(peers[p].get(t, [])).get(size)
                cells.append("n/a" if v is None else "%s (%.3g)" % (fmt_time(v), sweep_rate(panel, size, v)))
            md.append("| %d | %s |" % (size, " | ".join(cells)))
        md += ["", "(time per run; in brackets %s)" % unit, ""]
    return "\n".join(md)


def plot_sweeps(json_path, png_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    data = json.load(open(json_path))
    res = data["results"]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    colors = {"typeflow": "tab:blue", "eigen": "tab:red", "openblas": "tab:green", "copy": "tab:gray"}
    for ax, (panel, (title, xlabel, ylabel, _)) in zip(axes, SWEEP_PANELS.items()):
        for peer, by_threads in res.get(panel, {}).items():
            for t, points in sorted(by_threads.items(), key=lambda kv: int(kv[0])):
                xs = [s for s, _ in points]
                ys = [sweep_rate(panel, s, v) for s, v in points]
                ax.plot(xs, ys, marker="o", color=colors.get(peer), ls="-" if int(t) == 1 else "--",
                        lw=2.2 if peer == "typeflow" else 1.2,
                        label="%s, %s" % (SWEEP_PEERS.get(peer, peer), "1 thread" if int(t) == 1 else "%s threads" % t))
        ax.set_xscale("log", base=2)
        if panel == "mlp":
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=0)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("%s; %s" % (data["meta"]["date"], data["meta"]["machine"]), fontsize=9)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


def plot(json_path, png_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    data = json.load(open(json_path))
    res = {int(t): v for t, v in data["results"].items()}
    threads_list = sorted(res)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5))
    colors = {t: c for t, c in zip(threads_list, ("tab:blue", "tab:orange", "tab:green"))}
    for ax, w in zip(axes[0], ("chain", "linreg", "mlp784")):
        peers = [p for p in PEER_NAMES if any(p in res[t].get(w, {}) for t in threads_list)]
        h = 0.8 / len(threads_list)
        everything = [v for t in threads_list for v in res[t].get(w, {}).values() if v]
        for i, t in enumerate(threads_list):
            vals = [res[t].get(w, {}).get(p) for p in peers]
            ys = [j + i * h for j in range(len(peers))]
            ax.barh([y for y, v in zip(ys, vals) if v], [v * 1e6 for v in vals if v], height=h, color=colors[t],
                    label="1 thread (CPU time)" if t == 1 else "%d threads (wall time)" % t)
            for y, v in zip(ys, vals):
                if v:
                    ax.text(v * 1e6 * 1.05, y, fmt_time(v), va="center", fontsize=6)
        if everything:
            ax.set_xlim(min(everything) * 1e6 / 3, max(everything) * 1e6 * 4)
        if res[threads_list[0]].get(w, {}).get("typeflow"):
            ax.axvline(res[threads_list[0]][w]["typeflow"] * 1e6, color="k", lw=0.8, ls=":")
        ax.set_yticks([j + (len(threads_list) - 1) * h / 2 for j in range(len(peers))])
        ax.set_yticklabels([PEER_NAMES[p] for p in peers], fontsize=8)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("microseconds per run (log), lower is better")
        ax.set_title(WORKLOAD_TITLES[w].split(", ")[0] + (", 8 ops, 2^24 floats" if w == "chain" else ", 784-128-10" if w == "mlp784" else ""), fontsize=10)
        ax.legend(fontsize=7, loc="best")
    for ax, t in zip(axes[1][:2], (threads_list[0], threads_list[-1])):
        labels = ["%dx%dx%d" % s for s in P.GEMM_SHAPES]
        for p in ["typeflow", "typeflow_kernel", "eigen", "openblas"] + P.PEERS:
            vals = [res[t].get("gemm_" + s, {}).get(p) for s in labels]
            if any(vals):
                flops = [2 * a * b * c / v / 1e9 if v else float("nan") for (a, b, c), v in zip(P.GEMM_SHAPES, vals)]
                line, = ax.plot(range(5), flops[:5], marker="o", label=PEER_NAMES[p], lw=2.5 if p == "typeflow" else 1)
                ax.plot(range(5, len(labels)), flops[5:], marker="o", ls="none", color=line.get_color())
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=30, fontsize=7)
        ax.set_yscale("log")
        ax.set_ylabel("GFLOP/s (log), higher is better")
        ax.set_title("4. GEMM, %s" % ("1 thread" if t == 1 else "%d threads" % t), fontsize=10)
        ax.legend(fontsize=6, ncol=2)
    ax = axes[1][2]
    peers = ["typeflow"] + [p for p in P.PEERS if p != "numpy"]
    h = 0.4
    for i, model in enumerate(("mlp64", "chain50")):
        t = threads_list[0]
        vals = []
        for p in peers:
            a = res[t].get("ratio_%s_loss" % model, {}).get(p)
            b = res[t].get("ratio_%s_loss_grad" % model, {}).get(p)
            vals.append(b / a if a and b else 0)
        ax.barh([j + i * h for j in range(len(peers))], vals, height=h, label={"mlp64": "MLP 64-128-10", "chain50": "50-op chain"}[model])
    ax.axvline(3, color="k", ls="--", lw=1)
    ax.set_yticks([j + h / 2 for j in range(len(peers))])
    ax.set_yticklabels([PEER_NAMES[p] for p in peers], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("(loss + gradients) / loss, 1 thread; target <= 3")
    ax.set_title("5. Cost of gradients", fontsize=10)
    ax.legend(fontsize=7)
    fig.suptitle("typeflow and its peers: %s" % data["meta"]["machine"], fontsize=11)
    fig.tight_layout()
    fig.savefig(png_path, dpi=72)


def write_chart(json_path, png, venv_python, how="--plot"):
    """Plots with the first Python that has matplotlib: this one, Debian's, the venv's."""
    for interpreter in [p for p in (sys.executable, "/usr/bin/python3", venv_python) if p and os.path.exists(p)]:
        if subprocess.run([interpreter, "-c", "import matplotlib"], capture_output=True).returncode == 0:
            if subprocess.run([interpreter, os.path.abspath(__file__), how, json_path, png]).returncode == 0:
                return True
    log("no Python with matplotlib found (apt-get install python3-matplotlib): no chart")
    return False


def machine():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%d x %s, %s" % (os.cpu_count() or 1, model, platform.platform(terse=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default="/tmp/typeflow-compare-build")
    ap.add_argument("--venv", default=os.path.expanduser("~/.cache/typeflow-bench-venv"))
    ap.add_argument("--out", default="/tmp/typeflow-compare")
    ap.add_argument("--quick", action="store_true", help="shorter runs: Google Benchmark min time 0.05 s, 5 Python repetitions")
    ap.add_argument("--threads", default="", help="comma-separated thread counts (default: 1 and all cores)")
    ap.add_argument("--jobs", type=int, default=1, help="ninja -j (default 1)")
    ap.add_argument("--no-build", action="store_true", help="use the binaries in --build-dir as they are")
    ap.add_argument("--no-install", action="store_true", help="do not create the venv or pip install")
    ap.add_argument("--peers", default=",".join(P.PEERS), help="Python peers to run (default: all)")
    ap.add_argument("--only", default="", help="comma-separated workloads (conv_layer,cnn_step; default: all)")
    ap.add_argument("--sweep", action="store_true",
                    help="only the scaling sweeps (chain 2^16-2^26 floats, MLP batch 1-4096, sgemm n 64-2048): "
                         "scaling.md, scaling.json and scaling.png in --out")
    ap.add_argument("--plot", nargs=2, metavar=("JSON", "PNG"), help=argparse.SUPPRESS)
    ap.add_argument("--plot-sweeps", nargs=2, metavar=("JSON", "PNG"), help=argparse.SUPPRESS)
    ap.add_argument("--report", metavar="JSON", help="only rewrite results.md and results.png in --out from a results.json")
    args = ap.parse_args()
    if args.plot:
        plot(*args.plot)
        return 0
    if args.plot_sweeps:
        plot_sweeps(*args.plot_sweeps)
        return 0
    if args.report:
        data = json.load(open(args.report))
        res = {int(t): v for t, v in data["results"].items()}
        ran = {p for r in res.values() for w in r.values() for p in w}
        md, verdicts = report(res, sorted(res), data["meta"], [p for p in P.PEERS if p in ran])
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "results.md"), "w") as f:
            f.write(md + "\n")
        write_chart(args.report, os.path.join(args.out, "results.png"), None)
        print(md)
        return 0

    cores = len(os.sched_getaffinity(0))
    threads_list = [int(t) for t in args.threads.split(",")] if args.threads else sorted({1, cores})
    os.makedirs(os.path.join(args.out, "raw"), exist_ok=True)
    notes = []
    load_before = os.getloadavg()
    only = [w for w in args.only.split(",") if w]
    if args.sweep:
        if not args.no_build:
            build(args.build_dir, args.jobs, sorted({b for b, _, _ in SWEEPS}))
        blas_env, _ = openblas_env(args.build_dir)
        meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine()}
        res = run_sweeps(args.build_dir, threads_list, args.out, blas_env)
        json_path = os.path.join(args.out, "scaling.json")
        with open(json_path, "w") as f:
            json.dump({"meta": meta, "results": res}, f, indent=1)
        md = sweep_report(res, meta)
        with open(os.path.join(args.out, "scaling.md"), "w") as f:
            f.write(md + "\n")
        png = os.path.join(args.out, "scaling.png")
        write_chart(json_path, png, os.path.join(args.venv, "bin", "python"), "--plot-sweeps")
        print(md)
        print("\nWritten: %s, %s, %s" % (os.path.join(args.out, "scaling.md"), png if os.path.exists(png) else "(no chart)", json_path))
        return 0
    if not args.no_build:
        build(args.build_dir, args.jobs, binaries_for(only))
    blas_env, blas_core = openblas_env(args.build_dir)
    notes.append("OpenBLAS (C++ peers): core %s; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for the benchmarks." % blas_core)

    py, available, venv_notes = prepare_venv(args.venv, not args.no_install)
    notes += venv_notes
    wanted = [p for p in args.peers.split(",") if p]
    runnable = [p for p in wanted if py and available.get(PEER_NEEDS[p])]
    for p in wanted:
        if p not in runnable:
            notes.append("peer %s could not be run: %s not installed" % (p, PEER_NEEDS[p]))

    res = {t: {} for t in threads_list}
    versions = {}
    for t in threads_list:
        cpp, ctx = run_cpp(args.build_dir, t, args.quick, args.out, blas_env, only)
        for w, r in cpp.items():
            res[t].setdefault(w, {}).update(r)
        if ctx.get("library_build_type") == "debug":
            versions["google-benchmark"] = "Debian's library (a debug build; affects only the harness)"
        if any(w.startswith("pb_") for w in cpp) and py:
            r, pb_notes = run_pb_peers(py, args.build_dir, t, os.environ)
            notes += pb_notes
            for w, v in r.items():
                res[t].setdefault(w, {}).update(v)
        for p in runnable:
            r, errors, v = run_python_peer(py, p, t, args.quick, args.out, os.environ, only)
            versions.update(v)
            for w, s in r.items():
                res[t].setdefault(w, {})[p] = s
            for w, e in errors.items():
                notes.append("%s, %d thread(s), %s: %s" % (p, t, w, e.strip().splitlines()[-1]))

    load_after = os.getloadavg()
    cxx = subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "setting": "%s; load average %.1f before, %.1f after; %s" % (
            "quick run (Google Benchmark min time 0.05 s, 5 Python repetitions)" if args.quick else
            "10 repetitions (C++: Google Benchmark, random interleaving; Python: calls calibrated to 0.2 s each)",
            load_before[0], load_after[0], "; ".join(["c++: " + (cxx[0] if cxx else "?")] + ["%s %s" % kv for kv in sorted(versions.items())])),
        "notes": notes,
    }
    md, verdicts = report(res, threads_list, meta, runnable)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(md + "\n")
    json_path = os.path.join(args.out, "results.json")
    with open(json_path, "w") as f:
        json.dump({"meta": meta, "results": res}, f, indent=1)
    png = os.path.join(args.out, "results.png")
    write_chart(json_path, png, py)
    print(md)
    print("\nTargets:")
    for v in verdicts:
        print("  " + v.replace("**", ""))
    print("\nWritten: %s, %s, %s" % (os.path.join(args.out, "results.md"), png if os.path.exists(png) else "(no chart)", json_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
