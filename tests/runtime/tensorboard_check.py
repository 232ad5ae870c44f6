"""TensorBoard reads typeflow's event files (tf::summary::FileWriter).

    tensorboard_check.py TEST_RUNTIME_EXE [LINEAR_REGRESSION_EXE MLP_CLASSIFIER_EXE]

Runs the doctest case "summary.interop" of TEST_RUNTIME_EXE, which writes a log directory
(5 steps of a scalar "loss" = 1/(step+1) and a histogram "w" of [step, step+1, step+2], a
text "notes", a 2x2 RGB image "picture", a histogram "spread" of values from -1e10 to 5e20,
and the graph), then checks with the PyPI `tensorboard`
package that:
  1. its EventAccumulator reads every scalar with its step and value, the histograms' counts,
     the text, the image's pixels and the graph's nodes (names, ops, inputs);
  2. with TensorFlow importable: the histograms equal TensorFlow's own for the same values
     (TF's default bucket limits, bit for bit);
  3. a torn last record (a writer killed mid-write) is skipped, the records before it read;
  4. `tensorboard --logdir` serves the scalars over HTTP (/data/plugin/scalars/scalars);
  5. given the examples, what `linear_regression --logdir` and `mlp_classifier --logdir` write.
Exit 0 on success, 1 on a mismatch, 77 (Meson's SKIP) when tensorboard cannot be imported.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

try:
    from tensorboard.backend.event_processing import event_accumulator as ea
except Exception as e:  # noqa: BLE001 -- any failure to import means no TensorBoard here
    print(f"SKIP: the tensorboard package cannot be imported ({e}): pip install tensorboard")
    sys.exit(77)

failures = []


def check(cond, what):
    print(("ok      " if cond else "FAILED  ") + what)
    if not cond:
        failures.append(what)


def accumulate(logdir):
    acc = ea.EventAccumulator(logdir, size_guidance={ea.SCALARS: 0, ea.HISTOGRAMS: 0, ea.IMAGES: 0, ea.TENSORS: 0})
    acc.Reload()
    return acc


def png_pixels(png):
    """The filtered scanlines of a PNG (IDAT chunks inflated), and its width and height."""
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(png):
        n = int.from_bytes(png[pos : pos + 4], "big")
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, height = int.from_bytes(data[0:4], "big"), int.from_bytes(data[4:8], "big")
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    return zlib.decompress(idat), width, height


def check_accumulator(logdir):
    acc = accumulate(logdir)
    tags = acc.Tags()
    check(tags["scalars"] == ["loss"], f"scalar tags {tags['scalars']}")
    loss = acc.Scalars("loss")
    check([e.step for e in loss] == [0, 1, 2, 3, 4], f"loss steps {[e.step for e in loss]}")
    check(
        all(abs(e.value - 1.0 / (e.step + 1)) < 1e-7 for e in loss), f"loss values {[e.value for e in loss]}"
    )
    check(all(e.wall_time > 1.7e9 for e in loss), "loss wall times are seconds since the epoch")

    hist = acc.Histograms("w")
    check([e.step for e in hist] == [0, 1, 2, 3, 4], f"histogram steps {[e.step for e in hist]}")
    for e in hist:
        h = e.histogram_value
        s = e.step
        ok = (h.min, h.max, h.num, h.sum, h.sum_squares) == (s, s + 2, 3, 3 * s + 3, s * s + (s + 1) ** 2 + (s + 2) ** 2)
        ok = ok and sum(h.bucket) == 3 and len(h.bucket) == len(h.bucket_limit)
        check(ok, f"histogram w at step {s}: min {h.min} max {h.max} num {h.num} sum {h.sum} counts {list(h.bucket)}")

    text = acc.Tensors("notes")
    check(len(text) == 1 and text[0].tensor_proto.string_val == [b"typeflow *writes* this"], "text 'notes'")

    images = acc.Images("picture/image")
    ok = len(images) == 1 and (images[0].width, images[0].height) == (2, 2)
    rows, w, h = png_pixels(images[0].encoded_image_string) if images else (b"", 0, 0)
    want = bytes([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255])
    check(ok and (w, h) == (2, 2) and rows == want, f"image 'picture/image' pixels {list(rows)}")

    graph = acc.Graph()
    nodes = {n.name: (n.op, list(n.input)) for n in graph.node}
    check(nodes.get("x", ("",))[0] == "Placeholder", "graph: placeholder x")
    check(nodes.get("w", ("",))[0] == "VariableV2", "graph: variable w")
    check(nodes.get("loss") == ("Mul", ["x", "Sum"]), f"graph: loss = Mul(x, Sum): {nodes.get('loss')}")
    check(nodes.get("Sum", ("", []))[1][:1] == ["w/read"], "graph: Sum reads w/read")
    return hist, acc.Histograms("spread")


def same_histogram(proto, value):
    """A HistogramProto and EventAccumulator's HistogramValue hold the same numbers."""
    fields = ("min", "max", "num", "sum", "sum_squares")
    return all(getattr(proto, f) == getattr(value, f) for f in fields) and (
        list(proto.bucket_limit),
        list(proto.bucket),
    ) == (list(value.bucket_limit), list(value.bucket))


def check_against_tensorflow(hist, spread):
    try:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
    except Exception:  # noqa: BLE001
        print("skipped: TensorFlow's own histograms (TensorFlow cannot be imported)")
        return
    from tensorboard.compat.proto import summary_pb2

    g = tf.Graph()
    with g.as_default():
        v = tf.compat.v1.placeholder(tf.float32, [3])
        op = tf.compat.v1.summary.histogram("w", v)
        with tf.compat.v1.Session(graph=g) as sess:
            for e in hist:
                s = e.step
                ref = summary_pb2.Summary.FromString(sess.run(op, {v: [s, s + 1, s + 2]})).value[0].histo
                check(same_histogram(ref, e.histogram_value), f"histogram at step {s} equals TensorFlow's")
        wide = [-1e10, -3.5, -1e-13, 0.0, 1e-12, 2.2e-7, 7.0, 7.0, 1e19, 5e20]
        u = tf.compat.v1.placeholder(tf.float32, [10])
        op = tf.compat.v1.summary.histogram("spread", u)
        with tf.compat.v1.Session(graph=g) as sess:
            ref = summary_pb2.Summary.FromString(sess.run(op, {u: wide})).value[0].histo
    (got,) = spread
    check(same_histogram(ref, got.histogram_value), f"histogram 'spread' equals TensorFlow's: {len(ref.bucket)} buckets")


def check_torn(logdir, tmp):
    torn = os.path.join(tmp, "torn", "train")
    shutil.copytree(logdir, torn)
    (name,) = os.listdir(torn)
    path = os.path.join(torn, name)
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - 5)
    loss = accumulate(torn).Scalars("loss")
    check([e.step for e in loss] == [0, 1, 2, 3], f"torn last record skipped: steps {[e.step for e in loss]}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_server(logroot, tmp):
    port = free_port()
    log = open(os.path.join(tmp, "tensorboard.log"), "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", logroot, "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/data/plugin/scalars/scalars?run=train&tag=loss"
    points = None
    try:
        deadline = time.time() + 90
        while time.time() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    points = json.loads(r.read())
                if len(points) == 5:
                    break
            except Exception:  # noqa: BLE001 -- not serving yet, or not loaded yet
                pass
            time.sleep(0.5)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    if points is None:
        print(open(os.path.join(tmp, "tensorboard.log")).read()[-3000:])
    steps = [p[1] for p in points or []]
    values = [p[2] for p in points or []]
    check(steps == [0, 1, 2, 3, 4], f"HTTP {url}: steps {steps}")
    check(
        len(values) == 5 and all(abs(v - 1.0 / (i + 1)) < 1e-7 for i, v in enumerate(values)), f"HTTP: values {values}"
    )


def check_examples(linear_regression, mlp_classifier, tmp):
    logdir = os.path.join(tmp, "examples", "linear_regression")
    subprocess.run([linear_regression, "--steps", "300", "--every", "100", "--logdir", logdir], check=True, capture_output=True)
    acc = accumulate(logdir)
    cost = acc.Scalars("cost")
    check([e.step for e in cost] == list(range(301)), "linear_regression: the cost at steps 0..300")
    check(cost[-1].value < 1e-3 * cost[0].value, f"linear_regression: the cost falls ({cost[0].value} -> {cost[-1].value})")
    weight, bias = acc.Histograms("weight"), acc.Histograms("bias")
    check(len(weight) == 301 and weight[-1].histogram_value.num == 3, "linear_regression: weight histograms (3 values)")
    check(len(bias) == 301 and bias[-1].histogram_value.num == 1, "linear_regression: bias histograms (1 value)")
    ops = {n.name: n.op for n in acc.Graph().node}
    check(ops.get("cost") == "Mean" and "MatMul" in ops.values(), "linear_regression: graph of cost = Mean(... MatMul ...)")

    logdir = os.path.join(tmp, "examples", "mlp_classifier")
    subprocess.run([mlp_classifier, "--epochs", "3", "--quiet", "--logdir", logdir], check=True, capture_output=True)
    acc = accumulate(logdir)
    loss, accuracy = acc.Scalars("loss"), acc.Scalars("held_out_accuracy")
    check([e.step for e in loss] == [1, 2, 3] and loss[2].value < loss[0].value, "mlp_classifier: mean loss per epoch falls")
    check(
        [e.step for e in accuracy] == [1, 2, 3] and 0.5 < accuracy[2].value <= 1,
        f"mlp_classifier: held-out accuracy per epoch {[e.value for e in accuracy]}",
    )
    w1 = acc.Histograms("W1")
    check(len(w1) == 3 and w1[0].histogram_value.num == 64 * 128, "mlp_classifier: W1 histograms (8192 values)")
    ops = {n.name: n.op for n in acc.Graph().node}
    check(ops.get("accuracy") == "Mean" and "Relu" in ops.values(), "mlp_classifier: graph of accuracy (... Relu ...)")


def main():
    exe = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="typeflow-tb-") as tmp:
        logroot = os.path.join(tmp, "logs")
        logdir = os.path.join(logroot, "train")
        env = dict(os.environ, TYPEFLOW_SUMMARY_LOGDIR=logdir)
        run = subprocess.run([exe, "-tc=summary.interop", "--no-skip"], env=env, capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stdout + run.stderr)
            return 1
        hist = check_accumulator(logdir)
        check_against_tensorflow(*hist)
        check_torn(logdir, tmp)
        check_server(logroot, tmp)
        if len(sys.argv) == 4:
            check_examples(sys.argv[2], sys.argv[3], tmp)
    print(f"{len(failures)} failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
