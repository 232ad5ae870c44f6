"""GraphDef files shared between typeflow and real TensorFlow, text and binary.

    tf_graph_io.py GRAPH_INTEROP_EXE

TensorFlow builds TF1 graphs (an MLP with variables, and constants of every encoding: tensor_content,
float_val, double_val, int64, bool, strings with escapes, list attrs) and writes each with
tf.io.write_graph as text and as binary; a frozen one too (convert_variables_to_constants). typeflow
(graph_interop roundtrip) reads each file with tf::io::read_graph_def and writes it back with
tf::io::write_graph in both formats. TensorFlow then reads typeflow's files (text_format.Parse,
ParseFromString): each must equal the original GraphDef, and typeflow's text must be byte for byte
the text TensorFlow wrote. Last, TensorFlow imports the frozen GraphDefs typeflow exports
(graph_interop onnx writes them as text) and computes the values typeflow's Session::run computed.

Exit status: 0 on a match, 1 on a mismatch or an error, 77 (Meson's SKIP) without TensorFlow.
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "parity"))
from tf_import import SKIP, import_tensorflow  # noqa: E402 (tests/parity/tf_import.py)


def graphs(tf, np):
    """name -> GraphDef, built by TensorFlow."""
    v1 = tf.compat.v1
    out = {}
    g = tf.Graph()
    with g.as_default():
        x = v1.placeholder(tf.float32, [None, 4], name="x")
        w = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3) / 7, name="W")
        b = tf.Variable(tf.zeros([3]), name="b")
        h = tf.nn.relu(tf.matmul(x, w, transpose_b=False) + b)
        y = tf.nn.softmax(h, name="y")
        loss = tf.reduce_mean(tf.square(y - 0.1), name="loss")
        v1.train.GradientDescentOptimizer(0.5).minimize(loss)
        tf.constant(np.array([1e-5, 3.0, -2.5], np.float64), name="doubles")
        tf.constant(0.1, dtype=tf.float64, name="double_scalar")
        tf.constant(123456789.0, name="big_float")
        tf.constant([1 << 40, -3], dtype=tf.int64, name="int64s")
        tf.constant(7, dtype=tf.int64, name="int64_scalar")
        tf.constant([True, False], name="bools")
        tf.constant([b"a\n\"b'\\", b"\xff\x00\x7f", "é".encode()], name="strings")
        tf.constant(np.zeros([2, 3], np.int8), name="int8_fill")
        init = v1.global_variables_initializer()
    out["mlp"] = g.as_graph_def()
    with v1.Session(graph=g) as sess:
        sess.run(init)
        out["frozen"] = v1.graph_util.convert_variables_to_constants(sess, g.as_graph_def(), ["y", "loss"])
    return out


def run(exe, *args):
    proc = subprocess.run([exe, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("%s %s exited with %d:\n%s%s" % (exe, " ".join(args), proc.returncode, proc.stdout, proc.stderr))


def run_frozen(tf, np, text_format, graph_pb2, exe, out):
    """TensorFlow imports typeflow's frozen graphs (graph_interop onnx writes them as text) and
    computes what typeflow's Session::run computed."""
    import json
    run(exe, "onnx", out)
    failures = 0
    for model in ("linear_regression", "mlp", "all_ops"):
        gd = graph_pb2.GraphDef()
        text_format.Parse(open(os.path.join(out, model + ".pbtxt")).read(), gd)
        data = json.load(open(os.path.join(out, model + ".json")))
        array = lambda v: np.array(v["values"], dtype=v["dtype"]).reshape(v["shape"])
        g = tf.Graph()
        with g.as_default():
            tf.graph_util.import_graph_def(gd, name="")
        with tf.compat.v1.Session(graph=g) as sess:
            names = list(data["outputs"])
            feeds = {k + ":0": array(v) for k, v in data["inputs"].items()}
            got = sess.run([n + ":0" for n in names], feeds)
        for name, have in zip(names, got):
            want = array(data["outputs"][name])
            ok = have.dtype == want.dtype and have.shape == want.shape and np.allclose(have, want, rtol=1e-5, atol=1e-6)
            print("%-17s TF runs typeflow's frozen graph, output %-5s %s: %s" % (model, name, str(want.shape),
                                                                             "ok" if ok else "MISMATCH"))
            failures += not ok
    return failures


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    imported = import_tensorflow()
    if imported is None:
        return SKIP
    tf, np = imported
    from google.protobuf import text_format
    from tensorflow.core.framework import graph_pb2

    exe = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, gd in graphs(tf, np).items():
            tf_text = None  # the text tf.io.write_graph writes
            for as_text in (True, False):
                kind = "text" if as_text else "binary"
                src = tf.io.write_graph(gd, os.path.join(tmp, "tf"), "%s_%s.pb%s" % (name, kind, "txt" if as_text else ""),
                                        as_text=as_text)
                if as_text:
                    tf_text = open(src).read()
                out = os.path.join(tmp, "typeflow", "%s_%s" % (name, kind))
                run(exe, "roundtrip", src, out)
                text = open(os.path.join(out, "graph.pbtxt")).read()
                back_text = graph_pb2.GraphDef()
                text_format.Parse(text, back_text)
                back_binary = graph_pb2.GraphDef()
                back_binary.ParseFromString(open(os.path.join(out, "graph.pb"), "rb").read())
                checks = {
                    "typeflow's text parses to TF's GraphDef": back_text == gd,
                    "typeflow's binary parses to TF's GraphDef": back_binary == gd,
                    "typeflow's text is TF's text, byte for byte": text == tf_text,
                }
                for what, ok in checks.items():
                    print("%-6s %s (%d nodes, from %s): %s" % (name, what, len(gd.node), kind, "ok" if ok else "MISMATCH"))
                    failures += not ok
                if text != tf_text:
                    import difflib
                    sys.stdout.writelines(list(difflib.unified_diff(tf_text.splitlines(True), text.splitlines(True),
                                                                   "tensorflow", "typeflow"))[:40])
        failures += run_frozen(tf, np, text_format, graph_pb2, exe, os.path.join(tmp, "frozen"))
    print("%d mismatches" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
