"""Checkpoints and .meta files shared between typeflow and real TensorFlow.

    tf_interop.py CHECK SAVER_INTEROP_EXE

CHECK is one of:
  tf_reads_typeflow_checkpoint     typeflow saves (saver_interop write); TensorFlow's
                                   tf.train.load_checkpoint finds the same names, dtypes,
                                   shapes and values (exactly);
  tf_imports_typeflow_meta         TensorFlow imports typeflow's .meta with
                                   tf.compat.v1.train.import_meta_graph, restores the
                                   checkpoint into a TF1 session, runs the outputs it names
                                   ("y:0", ...) on typeflow's input and matches typeflow's values;
  typeflow_restores_tf_checkpoint  TensorFlow's tf.compat.v1.train.Saver saves a model with
                                   float32, float64, int32 and int64 variables and Adam slots;
                                   typeflow (saver_interop read) restores it and finds the
                                   same values, exactly;
  typeflow_reads_tf2_checkpoint    TensorFlow's tf.train.Checkpoint saves a module with float32,
                                   float64, int32, int64, string and empty variables (TF2 object
                                   keys such as model/f32/.ATTRIBUTES/VARIABLE_VALUE, and the
                                   _CHECKPOINTABLE_OBJECT_GRAPH string); typeflow's
                                   tf::train::load_checkpoint (saver_interop load) finds the names,
                                   dtypes, shapes and values TF's tf.train.load_checkpoint finds,
                                   bit for bit.

Exit status: 0 on a match, 1 on a mismatch or an error, 77 (Meson's SKIP) when numpy or
TensorFlow cannot be imported by this interpreter (see tests/parity/run_with_tf.sh).
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "parity"))
from tf_import import SKIP, import_tensorflow  # noqa: E402 (tests/parity/tf_import.py)


def run_typeflow(exe, *args):
    proc = subprocess.run([exe, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("%s %s exited with %d:\n%s%s" % (exe, " ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return json.loads(proc.stdout)


def as_array(np, v):
    """A typeflow JSON tensor as a numpy array of its dtype (float32 values print exactly with 9 digits)."""
    return np.array(v["values"], dtype=v["dtype"]).reshape(v["shape"])


def same(np, a, b):
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


def tf_reads_typeflow_checkpoint(tf, np, exe, tmp):
    out = run_typeflow(exe, "write", tmp)
    prefix = out["prefix"]
    if tf.train.latest_checkpoint(tmp) != prefix:
        print("tf.train.latest_checkpoint(%r) = %r, typeflow saved %r" % (tmp, tf.train.latest_checkpoint(tmp), prefix))
        return 1
    reader = tf.train.load_checkpoint(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    expected = out["variables"]
    failures = 0
    if sorted(shapes) != sorted(expected):
        print("names: TensorFlow reads %s, typeflow saved %s" % (sorted(shapes), sorted(expected)))
        failures += 1
    for name, v in sorted(expected.items()):
        want = as_array(np, v)
        got = reader.get_tensor(name)
        ok = list(shapes.get(name, [None])) == v["shape"] and dtypes.get(name) == tf.as_dtype(v["dtype"]) and same(np, got, want)
        print("%-16s %-8s %-10s %s" % (name, v["dtype"], v["shape"], "ok" if ok else "MISMATCH: TF reads %s %s %r" % (
            dtypes.get(name), shapes.get(name), got)))
        failures += not ok
    return 1 if failures else 0


def tf_imports_typeflow_meta(tf, np, exe, tmp):
    out = run_typeflow(exe, "write", tmp)
    prefix = out["prefix"]
    v1 = tf.compat.v1
    graph = tf.Graph()
    failures = 0
    with graph.as_default():
        saver = v1.train.import_meta_graph(prefix + ".meta")
        names = sorted(v.op.name for v in v1.global_variables())
        trainable = sorted(v.op.name for v in v1.trainable_variables())
        if names != sorted(out["variables"]) or trainable != names:
            print("global variables after import: %s (trainable %s), typeflow has %s" % (names, trainable, sorted(out["variables"])))
            failures += 1
        x = as_array(np, out["x"])
        with v1.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            for name, v in sorted(out["variables"].items()):
                got = sess.run(name + ":0")
                if not same(np, got, as_array(np, v)):
                    print("variable %s after restore: %r, typeflow saved %r" % (name, got, v["values"]))
                    failures += 1
            outputs = sorted(out["outputs"])
            fetched = sess.run([name + ":0" for name in outputs], feed_dict={"x:0": x})
            # Sums of a few products in another order: a few float32 ulps at most.
            for name, got in zip(outputs, fetched):
                want = as_array(np, out["outputs"][name])
                ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-6, atol=1e-5)
                print("%s:0 %s %s" % (name, list(got.shape), "ok" if ok else "MISMATCH: TF %r, typeflow %r" % (got, want)))
                failures += not ok
            # The variables' initializer runs too (typeflow writes a zero fill).
            sess.run("init")
            if np.any(sess.run("dense/W:0")):
                print("init did not zero dense/W")
                failures += 1
            # TF can save again with typeflow's saver subgraph, and typeflow's files stay readable.
            again = saver.save(sess, os.path.join(tmp, "resaved"))
            if sorted(tf.train.load_checkpoint(again).get_variable_to_shape_map()) != names:
                print("TF's save through the imported SaverDef lost variables")
                failures += 1
    print("import_meta_graph + restore + run:", "ok" if not failures else "%d failures" % failures)
    return 1 if failures else 0


def typeflow_restores_tf_checkpoint(tf, np, exe, tmp):
    v1 = tf.compat.v1
    graph = tf.Graph()
    rng = np.random.default_rng(5)
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        W = v1.Variable(rng.normal(size=(3, 2)).astype(np.float32), name="W")
        b = v1.Variable(rng.normal(size=(2,)), name="b")  # float64
        counts = v1.Variable(np.array([[1, -2], [2**31 - 1, -2**31]], dtype=np.int32), name="counts")
        big = v1.Variable(np.array([2**62, -2**40 - 3, 5], dtype=np.int64), name="big")
        step = v1.train.get_or_create_global_step()
        loss = tf.reduce_mean(tf.square(tf.matmul(x, W) + tf.cast(b, tf.float32)))
        train = v1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
        init = v1.global_variables_initializer()
        saver = v1.train.Saver()
        with v1.Session(graph=graph) as sess:
            sess.run(init)
            for _ in range(3):
                sess.run(train, feed_dict={x: rng.normal(size=(5, 3)).astype(np.float32)})
            prefix = saver.save(sess, os.path.join(tmp, "model"), global_step=step)
            values = {v.op.name: sess.run(v) for v in v1.global_variables()}
    print("TensorFlow saved %s: %s" % (prefix, ", ".join(sorted(values))))
    out = run_typeflow(exe, "read", tmp)
    failures = 0
    if out["prefix"] != prefix:
        print("typeflow's latest_checkpoint: %r, TF saved %r" % (out["prefix"], prefix))
        failures += 1
    if sorted(out["variables"]) != sorted(values):
        print("variables: typeflow restored %s, TF saved %s" % (sorted(out["variables"]), sorted(values)))
        failures += 1
    for name, want in sorted(values.items()):
        if name not in out["variables"]:
            continue
        got = as_array(np, out["variables"][name])
        want = np.asarray(want)
        ok = same(np, got, want)
        print("%-12s %-8s %-7s %s" % (name, want.dtype, list(want.shape), "ok" if ok else "MISMATCH: typeflow %r, TF %r" % (got, want)))
        failures += not ok
    return 1 if failures else 0


def typeflow_reads_tf2_checkpoint(tf, np, exe, tmp):
    module = tf.Module()
    module.f32 = tf.Variable(np.array([[1.5, -0.0, 3.4028235e38], [1e-45, -2.25, 7.0]], dtype=np.float32))
    module.f64 = tf.Variable(np.array([np.pi, -1e-300, 2.0**60]))
    module.i32 = tf.Variable(np.array([2**31 - 1, -2**31, 0], dtype=np.int32))
    module.i64 = tf.Variable(np.array([[[2**63 - 1]], [[-2**63]]], dtype=np.int64))
    # Empty, NUL and 0xff bytes, and a length of two varint bytes.
    module.text = tf.Variable([[b"", b"typeflow"], [b"\x00\xff\n", b"x" * 300]])
    module.word = tf.Variable(b"end\x00")
    module.empty = tf.Variable(tf.zeros([0, 3]))
    module.nested = tf.Module()
    module.nested.no_strings = tf.Variable(tf.constant([], dtype=tf.string))
    prefix = tf.train.Checkpoint(model=module).save(os.path.join(tmp, "ckpt"))
    reader = tf.train.load_checkpoint(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    failures = 0
    # What makes this a TF2 checkpoint: object keys, and the object graph as a string tensor.
    paths = ("f32", "f64", "i32", "i64", "text", "word", "empty", "nested/no_strings")
    for key in ["model/%s/.ATTRIBUTES/VARIABLE_VALUE" % p for p in paths] + ["_CHECKPOINTABLE_OBJECT_GRAPH"]:
        if key not in shapes:
            print("TensorFlow wrote no tensor %s: %s" % (key, sorted(shapes)))
            failures += 1
    out = run_typeflow(exe, "load", prefix)
    if sorted(out) != sorted(shapes):
        print("names: typeflow reads %s, TensorFlow %s" % (sorted(out), sorted(shapes)))
        failures += 1
    for name in sorted(set(out) & set(shapes)):
        v, want = out[name], reader.get_tensor(name)
        if dtypes[name] == tf.string:
            same_values = v["values"] == [bytes(b).hex() for b in np.asarray(want, dtype=object).flatten()]
        else:
            same_values = as_array(np, v).tobytes() == np.asarray(want).tobytes()
        ok = v["dtype"] == dtypes[name].name and v["shape"] == list(shapes[name]) and same_values
        print("%-46s %-8s %-8s %s" % (name, dtypes[name].name, list(shapes[name]), "ok" if ok else "MISMATCH: typeflow reads %s %s %r" % (
            v["dtype"], v["shape"], v["values"][:8])))
        failures += not ok
    return 1 if failures else 0


CHECKS = {f.__name__: f for f in (tf_reads_typeflow_checkpoint, tf_imports_typeflow_meta, typeflow_restores_tf_checkpoint,
                                  typeflow_reads_tf2_checkpoint)}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CHECKS:
        print("usage: tf_interop.py {%s} SAVER_INTEROP_EXE" % ",".join(CHECKS))
        return 1
    imported = import_tensorflow()
    if imported is None:
        return SKIP
    tf, np = imported
    if sys.argv[1] != "typeflow_reads_tf2_checkpoint":  # TF2's Checkpoint saves eagerly; the others build TF1 graphs
        tf.compat.v1.disable_eager_execution()
    print("TensorFlow %s, numpy %s (%s)" % (tf.__version__, np.__version__, sys.executable))
    with tempfile.TemporaryDirectory(prefix="typeflow-interop-") as tmp:
        try:
            return CHECKS[sys.argv[1]](tf, np, os.path.abspath(sys.argv[2]), tmp)
        except Exception as e:
            import traceback
            traceback.print_exc()
            print("FAILED: %s: %s" % (type(e).__name__, e))
            return 1


if __name__ == "__main__":
    sys.exit(main())
