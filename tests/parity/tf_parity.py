"""Parity of typeflow with real TensorFlow on the TF1 linear regression.

    tf_parity.py PARITY_EXE [--steps N] [--learning-rate LR] [--optimizer gd|adam] [--keep DIR]

Generates a deterministic data set and initial values, writes them to a temporary
directory, trains the same TF1 program with TensorFlow (tf.compat.v1, graph mode) and with
typeflow (PARITY_EXE, built from linear_regression_parity.cpp), and compares the loss of
every step, the final loss, the final W and b, and the optimizer's slot variables (Adam's
m and v of W and b, and its beta powers).

Exit status: 0 on a match, 1 on a mismatch or an error, 77 (Meson's SKIP) when numpy or
TensorFlow cannot be imported by this interpreter.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

from tf_import import SKIP, import_tensorflow

# Tolerance, elementwise: |typeflow - tf| <= ATOL + RTOL * |tf|.
# Both sides compute in float32 (eps = 6e-8) but sum in different orders (TF's Eigen
# reductions vs typeflow's kernels), so each step's gradient differs by a few ulps of the
# sums over N = 200 rows: ~1e-7 relative. Gradient descent with lr < 2 / (largest Hessian
# eigenvalue) is a contraction, so these differences do not grow exponentially; at most they
# add up over the steps (200 x 1e-7 = 2e-5 in the worst case, far less in practice: see the
# measured differences printed by the test). RTOL 1e-4 leaves room for that and for another
# BLAS/Eigen build, while a wrong gradient (a lost factor 2 or 1/N, a sign, a transposed
# matmul) changes the loss after the first update by far more than 1e-4. ATOL 1e-5 only
# matters for values near 0 (no weight here is).
RTOL = 1e-4
ATOL = 1e-5

N = 200
SEED = 20240611
TRUE_W = [1.5, -2.0, 0.7]
TRUE_B = 0.3
NOISE = 0.1


def make_data(np):
    """x [N, 3], y [N, 1], W0 [3, 1], b0 [1], all float32, from a fixed seed."""
    rng = np.random.default_rng(SEED)
    # Features on different scales and off-centre, so the weights and the bias are coupled and
    # gradient descent takes a non-trivial path (it has not fully converged after 200 steps).
    x = rng.normal(size=(N, 3)) * np.array([1.0, 0.5, 2.0]) + np.array([0.5, -1.0, 0.0])
    y = x @ np.array(TRUE_W).reshape(3, 1) + TRUE_B + NOISE * rng.normal(size=(N, 1))
    w0 = rng.normal(size=(3, 1))
    b0 = rng.normal(size=(1,))
    return [a.astype(np.float32) for a in (x, y, w0, b0)]


def write_tensor(path, a):
    """First line: the dims; then the values, row-major, 9 significant digits (exact for float32)."""
    with open(path, "w") as f:
        f.write(" ".join(str(d) for d in a.shape) + "\n")
        rows = a.reshape(a.shape[0], -1) if a.ndim > 1 else a.reshape(1, -1)
        for row in rows:
            f.write(" ".join("%.9g" % float(v) for v in row) + "\n")


# Adam's extra variables, by their TF1 names (slots of W and b, then the non-slot powers).
ADAM_SLOTS = ["W/Adam", "W/Adam_1", "b/Adam", "b/Adam_1", "beta1_power", "beta2_power"]


def tf1_train(tf, np, x, y, w0, b0, steps, lr, optimizer):
    """The TF1 program: placeholders, Variables, GradientDescentOptimizer or AdamOptimizer,
    Session.run with feed_dict."""
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        X = v1.placeholder(tf.float32, [None, 3], name="X")
        Y = v1.placeholder(tf.float32, [None, 1], name="Y")
        W = v1.Variable(w0, name="W")
        b = v1.Variable(b0, name="b")
        pred = tf.matmul(X, W) + b
        loss = tf.reduce_mean(tf.square(Y - pred))
        opt = v1.train.AdamOptimizer(lr) if optimizer == "adam" else v1.train.GradientDescentOptimizer(lr)
        train = opt.minimize(loss)
        init = v1.global_variables_initializer()
        by_name = {v.op.name: v for v in v1.global_variables()}
        slots = {name: by_name[name] for name in (ADAM_SLOTS if optimizer == "adam" else [])}
    # One thread: TF's reductions then sum in a fixed order, so the reference is the same on
    # every run and every machine size.
    config = v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    feed = {X: x, Y: y}
    with v1.Session(graph=graph, config=config) as sess:
        sess.run(init)
        losses = []
        for _ in range(steps):
            loss_val, _ = sess.run([loss, train], feed_dict=feed)
            losses.append(float(loss_val))
        final_loss, w, bias = sess.run([loss, W, b], feed_dict=feed)
        slot_values = {name: np.ravel(sess.run(v)).tolist() for name, v in slots.items()}
    return {"losses": losses, "loss": float(final_loss), "W": w.ravel().tolist(), "b": bias.ravel().tolist(),
            "slots": slot_values}


def float64_train(np, x, y, w0, b0, steps, lr, optimizer):
    """The same descent in float64 with numpy: not compared, only printed, to show how far
    each float32 implementation is from exact arithmetic. Adam as TF1 documents it."""
    x, y, w, b = (a.astype(np.float64) for a in (x, y, w0, b0))
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    m = {"W": np.zeros_like(w), "b": np.zeros_like(b)}
    v = {"W": np.zeros_like(w), "b": np.zeros_like(b)}
    powers = [beta1, beta2]
    losses = []
    for _ in range(steps):
        r = y - (x @ w + b)
        losses.append(float(np.mean(r * r)))
        g = -2.0 / len(x) * r  # d loss / d pred
        grads = {"W": x.T @ g, "b": g.sum(axis=0)}
        if optimizer == "adam":
            lr_t = lr * np.sqrt(1 - powers[1]) / (1 - powers[0])
            for k in grads:
                m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
                v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
            w = w - lr_t * m["W"] / (np.sqrt(v["W"]) + eps)
            b = b - lr_t * m["b"] / (np.sqrt(v["b"]) + eps)
            powers = [powers[0] * beta1, powers[1] * beta2]
        else:
            w = w - lr * grads["W"]
            b = b - lr * grads["b"]
    r = y - (x @ w + b)
    slots = {}
    if optimizer == "adam":
        slots = dict(zip(ADAM_SLOTS, (a.ravel().tolist() for a in (m["W"], v["W"], m["b"], v["b"]))))
        slots.update(beta1_power=[powers[0]], beta2_power=[powers[1]])
    return {"losses": losses, "loss": float(np.mean(r * r)), "W": w.ravel().tolist(), "b": b.ravel().tolist(),
            "slots": slots}


def typeflow_train(exe, data_dir, steps, lr, optimizer):
    proc = subprocess.run([exe, data_dir, str(steps), repr(lr), optimizer], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("%s exited with %d:\n%s%s" % (exe, proc.returncode, proc.stdout, proc.stderr))
    return json.loads(proc.stdout)


def rel_diff(a, ref):
    return abs(a - ref) / abs(ref) if ref != 0 else abs(a - ref)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exe", help="linear_regression_parity, the typeflow side")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--optimizer", choices=["gd", "adam"], default="gd")
    parser.add_argument("--keep", metavar="DIR", help="write the data files to DIR and keep them")
    args = parser.parse_args()

    imported = import_tensorflow()
    if imported is None:
        return SKIP
    tf, np = imported
    tf.compat.v1.disable_eager_execution()
    print("TensorFlow %s, numpy %s (%s)" % (tf.__version__, np.__version__, sys.executable))

    x, y, w0, b0 = make_data(np)
    steps, lr, optimizer = args.steps, args.learning_rate, args.optimizer
    print("data: N=%d, %d steps of %s, learning rate %g, seed %d, rtol %g, atol %g"
          % (N, steps, optimizer, lr, SEED, RTOL, ATOL))

    with tempfile.TemporaryDirectory(prefix="typeflow-parity-") as tmp:
        data_dir = args.keep or tmp
        os.makedirs(data_dir, exist_ok=True)
        for name, a in (("x", x), ("y", y), ("w0", w0), ("b0", b0)):
            write_tensor(os.path.join(data_dir, name + ".txt"), a)
        try:
            ours = typeflow_train(args.exe, data_dir, steps, lr, optimizer)
        except (RuntimeError, OSError, ValueError) as e:
            print("FAIL: typeflow side: %s" % e)
            return 1
    ref = tf1_train(tf, np, x, y, w0, b0, steps, lr, optimizer)
    exact = float64_train(np, x, y, w0, b0, steps, lr, optimizer)

    if len(ours["losses"]) != len(ref["losses"]) or len(ours["W"]) != 3 or len(ours["b"]) != 1:
        print("FAIL: typeflow returned %d losses, %d W and %d b values; expected %d, 3 and 1"
              % (len(ours["losses"]), len(ours["W"]), len(ours["b"]), len(ref["losses"])))
        return 1
    slot_sizes = {name: len(values) for name, values in ref["slots"].items()}
    if {name: len(values) for name, values in ours.get("slots", {}).items()} != slot_sizes:
        print("FAIL: typeflow's slot variables %s differ from TensorFlow's %s"
              % (sorted(ours.get("slots", {})), sorted(slot_sizes)))
        return 1
    # (label, typeflow, TensorFlow, float64). losses[i] is fetched with the train op of step i,
    # so it is the loss after i updates: i = 0 checks the forward pass, i = 1 the gradient.
    rows = [("loss after %d updates" % i, a, r, e)
            for i, (a, r, e) in enumerate(zip(ours["losses"], ref["losses"], exact["losses"]))]
    rows.append(("final loss (%d updates)" % steps, ours["loss"], ref["loss"], exact["loss"]))
    rows += [("W[%d]" % i, ours["W"][i], ref["W"][i], exact["W"][i]) for i in range(3)]
    rows.append(("b[0]", ours["b"][0], ref["b"][0], exact["b"][0]))
    for name in ref["slots"]:
        rows += [("%s[%d]" % (name, i), a, r, e)
                 for i, (a, r, e) in enumerate(zip(ours["slots"][name], ref["slots"][name], exact["slots"][name]))]

    def matches(a, r):
        return math.isfinite(a) and abs(a - r) <= ATOL + RTOL * abs(r)

    bad = [i for i, (_, a, r, _) in enumerate(rows) if not matches(a, r)]
    shown = sorted(set(range(min(2, steps))) | set(range(steps, len(rows))) | set(bad[:10]))  # 10 mismatches at most
    print("%-26s %16s %16s %10s %10s %10s" % ("", "typeflow", "tensorflow", "rel diff", "tf~f64", "tflow~f64"))
    for i in shown:
        label, a, r, e = rows[i]
        print("%-26s %16.9g %16.9g %10.2e %10.2e %10.2e%s"
              % (label, a, r, rel_diff(a, r), rel_diff(r, e), rel_diff(a, e), "" if matches(a, r) else "  MISMATCH"))
    if steps:
        diffs = [rel_diff(a, r) for _, a, r, _ in rows[:steps]]
        worst = max(range(steps), key=diffs.__getitem__)
        print("largest relative difference of the %d step losses: %.2e (after %d updates)" % (steps, diffs[worst], worst))
    print("largest relative difference of all %d values: %.2e" % (len(rows), max(rel_diff(a, r) for _, a, r, _ in rows)))

    if bad:
        print("FAIL: %d of %d compared values differ beyond rtol %g / atol %g" % (len(bad), len(rows), RTOL, ATOL))
        return 1
    print("PASS: typeflow matches TensorFlow on %d values" % len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
