"""Per-op parity of typeflow with real TensorFlow: forward values and gradients.

    op_parity.py OP_PARITY_EXE [--keep FILE] [--verbose] [CASE...]

Runs OP_PARITY_EXE (built from op_parity*.cpp), which writes, for each of its cases,
TensorFlow's op as a Python expression, the inputs it drew, typeflow's y, an upstream weight w
of y's shape and typeflow's gradients of reduce_sum(y * w) (file format: op_parity.hpp). For
each case this script evaluates the expression (with `tf`, `nn` = tf.nn and `np` in scope),
computes the op with TensorFlow 2 in eager mode on the same inputs (the exact float32/float64
values), takes the gradients of reduce_sum(y * w) with tf.GradientTape, and compares. It also
imports typeflow's GraphDef of the case's forward graph into TensorFlow (import_graph_def, a TF1
Session) and runs it on the same inputs: TensorFlow must read what typeflow exports, op by op,
attrs and const inputs included, and compute typeflow's y from it. A case
without an expression, an expression that does not evaluate, or a case named on the command
line that the executable does not write is a failure: nothing is skipped silently. Prints one
line per case and exits 0 when every case matches, 1 on any mismatch, 77 (Meson's SKIP) when
numpy or TensorFlow cannot be imported.

Gradients that typeflow does not have (an input y depends on only through stop_gradient, a
comparison, sign or an integer cast: typeflow cuts the path at compile time, so asking for it
is a compile error) are written as "none"; TensorFlow must then return None or zeros (its
SignGrad returns zeros). A TensorFlow None next to a typeflow gradient compares with zeros.
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile

from tf_import import SKIP, import_tensorflow

# Tolerances, elementwise: |typeflow - tf| <= ATOL + RTOL * |tf|, per dtype.
#
# float32 (eps = 1.2e-7): both sides round each op correctly or nearly (TF's Eigen and
# typeflow's xsimd implement exp/log/tanh/... with different polynomials, a few ulps apart),
# but they sum in different orders (matmul and reductions over up to ~24 terms, the
# broadcast-gradient sums, softmax denominators) and with or without fused multiply-adds.
# Each such sum is off by at most ~n eps relative to the sum of the magnitudes of its terms,
# which for the O(1) inputs here is ~1e-6 in absolute terms however small the result: that
# sets ATOL. Results that are not the outcome of cancellation are within a few ulps relative:
# RTOL 1e-5 leaves a margin of ~10x over the worst measured (printed per case). A wrong
# formula (a lost factor, a sign, a transposed operand, a wrong broadcast sum, a missing
# stabilisation giving inf or NaN) is off by far more than either.
#
# float64 (eps = 2.2e-16): the same reasoning with the float64 epsilon, scaled alike.
TOLERANCES = {
    "float32": (1e-5, 1e-6),  # (rtol, atol)
    "float64": (1e-12, 1e-13),
}

# Known differences from TensorFlow, expected to fail. Each entry: case name -> why. A case in
# this list that passes is reported as XPASS and fails the run, so the list stays current.
EXPECTED_FAILURES = {
    # tf.compat.v1.losses.mean_squared_error casts labels and predictions to float32 and
    # returns a float32 loss whatever their dtype (losses_impl.py); typeflow's computes and
    # returns the mean in the inputs' dtype, so float64 inputs give a float64 loss.
    "mean_squared_error_f64": "TF computes the v1 loss in float32; typeflow in float64",
    # TF's Selu is scale * alpha * (exp(x) - 1), which is 0 just below 0 (exp(x) rounds to 1),
    # and its SeluGrad then takes the x >= 0 branch: a gradient of scale. typeflow's uses expm1,
    # whose result keeps x's sign, so the gradient is scale * alpha, the derivative's left limit.
    "selu_just_below_0": "TF's selu(x) is 0 for -6e-8 < x < 0 and its gradient scale; typeflow's scale * alpha",
}


# Why export may refuse a case's graph: typeflow's ops that TensorFlow has no op for (it
# computes them from primitives), and cross-entropies of rank-3 logits (TF's ops take rank 2;
# its Python functions reshape around them). Any other refusal is a failure.
NOT_EXPORTABLE = ("SigmoidCrossEntropyWithLogits is typeflow's op", "takes rank-2 logits")


# --- reading the executable's file --------------------------------------------------------

class Tensor:
    def __init__(self, dtype, shape, values):
        self.dtype, self.shape, self.values = dtype, shape, values


class Case:
    def __init__(self, name):
        self.name = name
        self.tf = None     # TensorFlow's op, a Python expression
        self.inputs = []   # Tensor, in the order of the placeholders a, b, ...
        self.output = None
        self.weight = None
        self.grads = {}    # input index -> Tensor, or None where typeflow has no gradient
        self.graph = None  # typeflow's GraphDef of the case (bytes), or why there is none (str)


def parse_header(words, np):
    dtype, rank = words[0], int(words[1])
    shape = tuple(int(d) for d in words[2:2 + rank])
    if len(words) != 2 + rank:
        raise ValueError("bad tensor header %r" % " ".join(words))
    return dtype, shape


NUMPY_DTYPES = {"float32": "float32", "float64": "float64", "int32": "int32", "int64": "int64", "bool": "bool"}


def read_values(line, dtype, shape, np):
    words = line.split()
    size = int(np.prod(shape)) if shape else 1
    if len(words) != size:
        raise ValueError("expected %d values, got %d" % (size, len(words)))
    if dtype in ("float32", "float64"):
        a = np.array([float(w) for w in words], dtype=dtype)
    elif dtype == "bool":
        a = np.array([int(w) != 0 for w in words], dtype=bool)
    else:
        a = np.array([int(w) for w in words], dtype=dtype)
    return a.reshape(shape)


def read_cases(path, np):
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines or lines[0] != "typeflow-op-parity 3":
        raise ValueError("%s: not a typeflow-op-parity 3 file" % path)
    cases, case, i = [], None, 1
    while i < len(lines):
        words = lines[i].split()
        i += 1
        if not words:
            continue
        tag = words[0]
        if tag == "case":
            case = Case(words[1])
        elif tag == "tf":
            case.tf = lines[i - 1][len("tf "):].strip()
        elif tag == "graph":
            case.graph = lines[i - 1][len("graph none "):] if words[1] == "none" else bytes.fromhex(words[1])
        elif tag == "end":
            cases.append(case)
            case = None
        elif tag == "grad" and words[2:] == ["none"]:
            case.grads[int(words[1])] = None
        elif tag in ("input", "grad", "output", "weight"):
            rest = words[2:] if tag in ("input", "grad") else words[1:]
            dtype, shape = parse_header(rest, np)
            t = Tensor(dtype, shape, read_values(lines[i], dtype, shape, np))
            i += 1
            if tag == "input":
                if int(words[1]) != len(case.inputs):
                    raise ValueError("case %s: inputs out of order" % case.name)
                case.inputs.append(t)
            elif tag == "grad":
                case.grads[int(words[1])] = t
            elif tag == "output":
                case.output = t
            else:
                case.weight = t
        else:
            raise ValueError("%s:%d: unexpected %r" % (path, i, lines[i - 1]))
    if case is not None:
        raise ValueError("%s: the last case has no end (the executable stopped early?)" % path)
    return cases


# --- TensorFlow's side and the comparison ---------------------------------------------------

def tf_compute(tf, fn, case):
    """y, and the gradients of reduce_sum(y * w) for the floating inputs (index -> tensor or None)."""
    xs = [tf.constant(t.values, dtype=t.dtype) for t in case.inputs]
    floating = [i for i, t in enumerate(case.inputs) if t.dtype in ("float32", "float64")]
    with tf.GradientTape() as tape:
        for i in floating:
            tape.watch(xs[i])
        y = fn(*xs)
        # w in y's dtype: a y of another dtype than typeflow's is then reported as such below.
        w = tf.constant(case.weight.values, dtype=y.dtype) if case.weight is not None and y.dtype.is_floating else None
        loss = tf.reduce_sum(y * w) if w is not None else None
    grads = {}
    if loss is not None and floating:
        for i, g in zip(floating, tape.gradient(loss, [xs[i] for i in floating])):
            grads[i] = None if g is None else g.numpy()
    return y, grads


class Comparison:
    """Collects the worst differences of one case and what did not match."""

    def __init__(self, np):
        self.np = np
        self.max_abs = 0.0
        self.max_rel = 0.0
        self.max_used = 0.0  # the largest |difference| / (atol + rtol |tf|): 1 is the limit
        self.problems = []
        self.notes = []

    def tensors(self, label, ours, ours_dtype, ref, ref_dtype):
        np = self.np
        if ours_dtype != ref_dtype:
            self.problems.append("%s: dtype %s, TensorFlow's %s" % (label, ours_dtype, ref_dtype))
            return
        if tuple(ours.shape) != tuple(ref.shape):
            self.problems.append("%s: shape %s, TensorFlow's %s" % (label, list(ours.shape), list(ref.shape)))
            return
        if ours_dtype not in TOLERANCES:
            bad = np.argwhere(ours != ref)
            if len(bad):
                at = tuple(bad[0])
                self.problems.append("%s: %d of %d values differ, first at %s: %s vs TensorFlow's %s"
                                     % (label, len(bad), ours.size, list(at), ours[at], ref[at]))
            return
        rtol, atol = TOLERANCES[ours_dtype]
        a, r = ours.astype(np.float64), ref.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            same = (a == r) | (np.isnan(a) & np.isnan(r))
            finite = np.isfinite(a) & np.isfinite(r)
            diff = np.where(finite, np.abs(a - r), 0.0)
            close = finite & (diff <= atol + rtol * np.abs(r))
        if finite.any():
            self.max_abs = max(self.max_abs, float(diff.max()))
            self.max_used = max(self.max_used, float((diff / (atol + rtol * np.abs(r))).max()))
            nz = finite & (r != 0)
            if nz.any():
                self.max_rel = max(self.max_rel, float((diff[nz] / np.abs(r[nz])).max()))
        bad = np.argwhere(~(same | close))
        if len(bad):
            at = tuple(bad[0])
            self.problems.append("%s: %d of %d values differ, first at %s: %r vs TensorFlow's %r"
                                 % (label, len(bad), ours.size, list(at), float(a[at]), float(r[at])))


def tf_function(tf, np, case):
    """The case's TensorFlow op: its expression evaluated with tf, nn and np in scope."""
    if not case.tf:
        raise ValueError("no TensorFlow expression (a `tf` line) in the file")
    return eval(case.tf, {"tf": tf, "nn": tf.nn, "np": np})


def tf_run_graph(tf, case):
    """TensorFlow runs typeflow's GraphDef of the case (import_graph_def, a TF1 Session)."""
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(case.graph)
    names = {n.name for n in graph_def.node}
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session() as sess:
            feeds = {"abcde"[i] + ":0": t.values for i, t in enumerate(case.inputs) if "abcde"[i] in names}
            return sess.run("output:0", feeds)


def compare_case(tf, np, case):
    c = Comparison(np)
    fn = tf_function(tf, np, case)
    if case.output is None:
        c.problems.append("no output in the file")
        return c
    y, tf_grads = tf_compute(tf, fn, case)
    c.tensors("y", case.output.values, case.output.dtype, y.numpy(), y.dtype.name)
    if isinstance(case.graph, bytes):
        y_graph = np.asarray(tf_run_graph(tf, case))
        c.tensors("y of typeflow's GraphDef", case.output.values, case.output.dtype, y_graph, y_graph.dtype.name)
    elif not any(reason in (case.graph or "") for reason in NOT_EXPORTABLE):
        c.problems.append("typeflow did not export the graph: %s" % (case.graph or "no graph line"))
    floating = [i for i, t in enumerate(case.inputs) if t.dtype in ("float32", "float64")]
    if case.weight is None:
        if case.grads:
            c.problems.append("gradients without a weight")
        return c
    for i in floating:
        label = "d/d%s" % "abcde"[i]
        if i not in case.grads:
            c.problems.append("%s: missing from the file" % label)
            continue
        ours, ref = case.grads[i], tf_grads.get(i)
        if ours is None and ref is None:
            c.notes.append("%s: none, TF None" % label)
            continue
        if ours is None:
            # typeflow has no path; TensorFlow's gradient must be zero (SignGrad, ...).
            if np.any(ref != 0):
                c.problems.append("%s: typeflow has no gradient, TensorFlow's is not zero (max |g| %g)"
                                  % (label, float(np.max(np.abs(ref)))))
            else:
                c.notes.append("%s: none, TF zeros" % label)
            continue
        if ref is None:
            c.notes.append("%s: TF None" % label)
            ref = np.zeros(ours.shape, dtype=ours.dtype)
        c.tensors(label, ours.values, ours.dtype, ref, ref.dtype.name)
    return c


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exe", help="op_parity, the typeflow side")
    parser.add_argument("cases", nargs="*", help="run only these cases")
    parser.add_argument("--keep", metavar="FILE", help="write the executable's output to FILE and keep it")
    parser.add_argument("--verbose", action="store_true", help="also print the notes on gradients")
    args = parser.parse_args()

    imported = import_tensorflow()
    if imported is None:
        return SKIP
    tf, np = imported
    # One thread: TF's reductions sum in one fixed order on every machine.
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    print("TensorFlow %s, numpy %s (%s)" % (tf.__version__, np.__version__, sys.executable))
    print("tolerances: %s" % ", ".join("%s rtol %g atol %g" % (k, r, a) for k, (r, a) in TOLERANCES.items()))

    with tempfile.TemporaryDirectory(prefix="typeflow-op-parity-") as tmp:
        path = args.keep or os.path.join(tmp, "cases.txt")
        try:
            proc = subprocess.run([args.exe, path] + args.cases, capture_output=True, text=True)
        except OSError as e:
            print("FAIL: cannot run %s: %s" % (args.exe, e))
            return 1
        if proc.returncode != 0:
            print("FAIL: %s exited with %d:\n%s%s" % (args.exe, proc.returncode, proc.stdout, proc.stderr))
            return 1
        try:
            cases = read_cases(path, np)
        except (OSError, ValueError) as e:
            print("FAIL: cannot read the executable's output: %s" % e)
            return 1

    failed, xfailed, passed = [], [], []
    written = [c.name for c in cases]
    missing_cpp = sorted(set(args.cases) - set(written))
    # Per case, over y and the gradients: the largest absolute and relative differences, and
    # the largest fraction of the tolerance used (1 = at the limit).
    print("%-40s %9s %9s %6s  %s" % ("case", "max abs", "max rel", "of tol", "result"))
    for case in cases:
        try:
            c = compare_case(tf, np, case)
        except Exception as e:  # no expression, one that does not evaluate, TensorFlow rejected the inputs, ...
            c = Comparison(np)
            first_line = str(e).splitlines()[0] if str(e) else ""
            c.problems.append("the TensorFlow side raised %s: %s" % (type(e).__name__, first_line))
        notes = ("  (" + "; ".join(c.notes) + ")") if args.verbose and c.notes else ""
        if case.name in EXPECTED_FAILURES:
            if c.problems:
                xfailed.append(case.name)
                result = "XFAIL (%s): %s" % (EXPECTED_FAILURES[case.name], "; ".join(c.problems))
            else:
                failed.append(case.name)
                result = "XPASS: passes but is listed in EXPECTED_FAILURES; remove it from the list"
        elif c.problems:
            failed.append(case.name)
            result = "FAIL: " + "; ".join(c.problems)
        else:
            passed.append(case.name)
            result = "ok"
        print("%-40s %9.2e %9.2e %6.3f  %s%s" % (case.name, c.max_abs, c.max_rel, c.max_used, result, notes))
    for name in missing_cpp:
        print("%-40s %26s  FAIL: op_parity wrote no such case" % (name, ""))
        failed.append(name)
    stale = [] if args.cases else sorted(set(EXPECTED_FAILURES) - set(written))
    for name in stale:
        print("%-40s %26s  FAIL: listed in EXPECTED_FAILURES but not a case" % (name, ""))
        failed.append(name)

    print("%d cases: %d passed, %d expected failures, %d failed" % (len(cases), len(passed), len(xfailed), len(failed)))
    if failed:
        print("FAIL: %s" % ", ".join(failed))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
