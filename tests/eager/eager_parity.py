"""Eager mode's parity with TensorFlow 2.21 (issue 16).

    eager_parity.py EAGER_PARITY_EXE

EAGER_PARITY_EXE (eager_parity.cpp) prints its inputs and typeflow's eager values and
gradients; this script computes the same with TF's eager ops and GradientTape (and TF1's
AdamOptimizer, which runs eagerly too), reads the checkpoint tfe::Saver wrote, and compares: float32 cases with rtol 1e-5, float64
ones with rtol 1e-10 (atol alike: both sum in their own orders).

Exit status: 0 on a match, 1 on a mismatch or an error, 77 (Meson's SKIP) when numpy or
TensorFlow cannot be imported (see tests/parity/run_with_tf.sh).
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "parity"))
from tf_import import SKIP, import_tensorflow  # noqa: E402 (tests/parity/tf_import.py)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    imported = import_tensorflow()
    if imported is None:
        return SKIP
    tf, np = imported
    tmp = tempfile.TemporaryDirectory(prefix="typeflow-eager-")
    proc = subprocess.run([sys.argv[1], tmp.name], capture_output=True, text=True)
    if proc.returncode != 0:
        print("FAIL: %s exited with %d:\n%s%s" % (sys.argv[1], proc.returncode, proc.stdout, proc.stderr))
        return 1
    got = json.loads(proc.stdout)

    def tensor(key):
        t = got[key]
        dtype = {"float32": np.float32, "float64": np.float64}[t["dtype"]]
        return tf.constant(np.array(t["values"], dtype=dtype).reshape(t["shape"]))

    want = {}
    x, y, w0 = tensor("x"), tensor("y"), tensor("w")
    w, b = tf.Variable(w0), tf.Variable(0.5)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    dw, db = tape.gradient(loss, [w, b])
    want.update(regression_loss=loss, regression_dw=dw, regression_db=db)
    want.update(function_loss=loss, function_dw=dw, function_db=db)

    a, c, d = tensor("a"), tensor("c"), tensor("d")
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([a, c, d])
        t = tf.tanh(a * c + d) / (tf.exp(d) + 1.0) - tf.nn.softmax(a) * tf.reduce_max(a, 1, keepdims=True)
    want.update(broadcast_value=t, broadcast_da=tape.gradient(t, a), broadcast_dc=tape.gradient(t, c),
                broadcast_dd=tape.gradient(t, d))

    with tf.GradientTape() as outer:
        outer.watch(a)
        with tf.GradientTape() as inner:
            inner.watch(a)
            s = tf.reduce_sum(tf.sin(a) * a * a)
        g = inner.gradient(s, a)
    want.update(second_first=g, second_second=outer.gradient(g, a))

    with tf.GradientTape(persistent=True) as tape:
        tape.watch([a, d])
        joined = tf.concat([a, tf.tile(d, [1, 3]) * a[0], tf.stack([a[1], a[-1] * d[0]], 0)], 1)
        squared = joined * joined
    want.update(arrays_value=joined, arrays_da=tape.gradient(squared, a), arrays_dd=tape.gradient(squared, d))

    with tf.GradientTape() as tape:
        tape.watch(a)
        picked = a[:, 1:] * a[..., -1, tf.newaxis] + a[-1:, 1:]
        squared = picked * picked
    want.update(slices_value=picked, slices_da=tape.gradient(squared, a))

    with tf.GradientTape() as tape:
        tape.watch(a)
        stepped = a[::-1, ::2] * a[:, 2::-2] + a[-1:-3:-1, 0:3:2]
        squared = stepped * stepped
    want.update(steps_value=stepped, steps_da=tape.gradient(squared, a),
                strided_slice_value=tf.strided_slice(a, [0, 2], [2, -4], [1, -1]))

    adam = tf.compat.v1.train.AdamOptimizer(0.1)
    for _ in range(3):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        adam.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
    want.update(adam_w=w, adam_b=b)

    # tfe::Saver's checkpoint, read by TensorFlow: the trained values under the variables' names.
    reader = tf.train.load_checkpoint(got["checkpoint"])
    want.update(checkpoint_w=reader.get_tensor("w"), checkpoint_b=reader.get_tensor("b"))
    got["checkpoint_w"], got["checkpoint_b"] = got["adam_w"], got["adam_b"]
    latest = tf.train.latest_checkpoint(os.path.dirname(got["checkpoint"]))
    if latest != got["checkpoint"]:
        print("FAIL: tf.train.latest_checkpoint gives %r, typeflow saved %r" % (latest, got["checkpoint"]))
        return 1

    failures = 0
    for key, expected in want.items():
        expected = np.asarray(expected)
        actual = np.array(got[key]["values"], dtype=expected.dtype).reshape(got[key]["shape"])
        tol = 1e-5 if expected.dtype == np.float32 else 1e-10
        ok = actual.shape == expected.shape and np.allclose(actual, expected, rtol=tol, atol=tol)
        diff = float(np.max(np.abs(actual - expected))) if actual.shape == expected.shape else float("inf")
        print("%-16s %s  max |typeflow - TF| = %.3g" % (key, "ok  " if ok else "FAIL", diff))
        failures += not ok
    print("%d of %d cases match TensorFlow" % (len(want) - failures, len(want)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
