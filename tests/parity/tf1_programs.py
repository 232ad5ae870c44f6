"""Parity of typeflow with real TensorFlow on TF1 programs written as users write them.

    tf1_programs.py PARITY_EXE logistic|binary [--epochs N] [--keep DIR]

Each program is here in TF1 (tf.compat.v1, graph mode, as the TF1 examples write it) and in
tf1_programs_parity.cpp translated line by line (docs/FROM_TF1.md). Both run on the same
data from a fixed seed; the cost of every epoch and the final values must agree within
tf_parity.py's tolerances. Exit status 0 on a match, 1 on a mismatch, 77 (SKIP) without
TensorFlow.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

from tf_import import SKIP, import_tensorflow
from tf_parity import ATOL, RTOL, rel_diff, write_tensor

N, FEATURES, CLASSES, BATCH = 120, 8, 3, 40
SEED = 20260101


def make_data(np, program):
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(N, FEATURES)).astype(np.float32)
    if program == "logistic":
        labels = np.argmax(x @ rng.normal(size=(FEATURES, CLASSES)), axis=1)
        return {"x": x, "y": np.eye(CLASSES, dtype=np.float32)[labels]}
    y = (x @ rng.normal(size=(FEATURES, 1)) > 0).astype(np.float32)
    return {"x": x, "y": y, "w0": (0.1 * rng.normal(size=(FEATURES, 1))).astype(np.float32)}


def tf1_logistic(tf, data, epochs):
    v1 = tf.compat.v1
    X, Y = data["x"], data["y"]
    x = v1.placeholder(tf.float32, [None, FEATURES])
    y = v1.placeholder(tf.float32, [None, CLASSES])
    W = tf.Variable(tf.zeros([FEATURES, CLASSES]))
    b = tf.Variable(tf.zeros([CLASSES]))
    scaled = x * tf.linspace(0.5, 1.5, FEATURES)
    pred = tf.nn.softmax(tf.matmul(scaled, W) + b)
    cost = tf.reduce_mean(-tf.reduce_sum(y * tf.math.log(pred), axis=1))
    optimizer = v1.train.GradientDescentOptimizer(0.5).minimize(cost)
    correct = tf.equal(tf.argmax(pred, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    total_batch = N // BATCH
    with session(v1) as sess:
        sess.run(v1.global_variables_initializer())
        costs = []
        for _ in range(epochs):
            avg_cost = 0.0
            for i in range(total_batch):
                batch = slice(i * BATCH, (i + 1) * BATCH)
                _, c = sess.run([optimizer, cost], feed_dict={x: X[batch], y: Y[batch]})
                avg_cost += c / total_batch
            costs.append(float(avg_cost))
        acc = accuracy.eval({x: X, y: Y})
        return {"costs": costs, "accuracy": float(acc), "W": sess.run(W).ravel().tolist(),
                "b": sess.run(b).ravel().tolist()}


def tf1_binary(tf, data, epochs):
    v1 = tf.compat.v1
    X, Y = data["x"], data["y"]
    x = v1.placeholder(tf.float32, [None, FEATURES])
    y = v1.placeholder(tf.float32, [None, 1])
    W = tf.Variable(data["w0"])
    b = tf.Variable(0.5)
    logits = tf.matmul(x, W) + b
    loss = (tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=y)) +
            0.5 * tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(logits), logits=logits)))
    mse = v1.losses.mean_squared_error(labels=y, predictions=tf.sigmoid(logits))
    train = v1.train.AdamOptimizer(0.05).minimize(loss)
    with session(v1) as sess:
        sess.run(v1.global_variables_initializer())
        costs, errors = [], []
        for _ in range(epochs):
            l, m, _ = sess.run([loss, mse, train], feed_dict={x: X, y: Y})
            costs.append(float(l))
            errors.append(float(m))
        return {"costs": costs, "mse": errors, "W": sess.run(W).ravel().tolist(), "b": float(sess.run(b))}


def session(v1):
    # One thread: TF's reductions then sum in a fixed order.
    config = v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    return v1.Session(config=config)


def flat(result):
    """(label, value) pairs of a program's result, in a fixed order."""
    out = []
    for key in sorted(result):
        values = result[key] if isinstance(result[key], list) else [result[key]]
        out += [("%s[%d]" % (key, i), float(v)) for i, v in enumerate(values)]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exe", help="tf1_programs_parity, the typeflow side")
    parser.add_argument("program", choices=["logistic", "binary"])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--keep", metavar="DIR", help="write the data files to DIR and keep them")
    args = parser.parse_args()

    imported = import_tensorflow()
    if imported is None:
        return SKIP
    tf, np = imported
    tf.compat.v1.disable_eager_execution()
    print("TensorFlow %s; %s, %d epochs, seed %d, rtol %g, atol %g"
          % (tf.__version__, args.program, args.epochs, SEED, RTOL, ATOL))
    data = make_data(np, args.program)
    with tempfile.TemporaryDirectory(prefix="typeflow-tf1-") as tmp:
        data_dir = args.keep or tmp
        os.makedirs(data_dir, exist_ok=True)
        for name, a in data.items():
            write_tensor(os.path.join(data_dir, name + ".txt"), a)
        proc = subprocess.run([args.exe, args.program, data_dir, str(args.epochs)], capture_output=True, text=True)
    if proc.returncode != 0:
        print("FAIL: typeflow side exited with %d:\n%s%s" % (proc.returncode, proc.stdout, proc.stderr))
        return 1
    ours = flat(json.loads(proc.stdout))
    with tf.Graph().as_default():
        ref = flat((tf1_logistic if args.program == "logistic" else tf1_binary)(tf, data, args.epochs))
    if [label for label, _ in ours] != [label for label, _ in ref]:
        print("FAIL: typeflow's values %s differ from TensorFlow's %s" % ([l for l, _ in ours], [l for l, _ in ref]))
        return 1
    bad = 0
    for (label, a), (_, r) in zip(ours, ref):
        ok = math.isfinite(a) and abs(a - r) <= ATOL + RTOL * abs(r)
        bad += not ok
        print("%-12s %16.9g %16.9g %10.2e%s" % (label, a, r, rel_diff(a, r), "" if ok else "  MISMATCH"))
    if bad:
        print("FAIL: %d of %d values differ beyond rtol %g / atol %g" % (bad, len(ours), RTOL, ATOL))
        return 1
    print("PASS: typeflow matches TensorFlow on %d values" % len(ours))
    return 0


if __name__ == "__main__":
    sys.exit(main())
