"""Frozen graphs written by TensorFlow, run by typeflow's tf::ImportedGraph.

    frozen_graphs.py RUNNER [--out DIR]

Builds TF1-style graphs with tf.compat.v1 (a linear regression, an MLP with relu and softmax,
a graph of many ops, and a CNN with convolutions, fused batch normalisation and pooling), trains nothing but initialises variables from a fixed seed, freezes
each with convert_variables_to_constants, runs it in TensorFlow, and writes NAME.pb and
NAME.txt (the feeds and TensorFlow's fetched values, case_file.hpp's format) to DIR (a
temporary folder by default). Then RUNNER (run_frozen_graph) runs each through ImportedGraph
and compares (rtol 1e-5). Exit status 0 on a match, 1 on a mismatch, 77 (SKIP) without
TensorFlow. `--out tests/pb/fixtures` rewrites the committed fixtures.
"""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
from tf_import import SKIP, import_tensorflow  # noqa: E402

SEED = 20261206


def regression(tf, np, v1, rng):
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    W = v1.Variable(rng.normal(size=(3, 1)).astype(np.float32), name="W")
    b = v1.Variable(np.float32([0.5]), name="b")
    y = tf.add(tf.matmul(x, W), b, name="y")
    feeds = {"x": rng.normal(size=(5, 3)).astype(np.float32)}
    return feeds, [y]


def mlp(tf, np, v1, rng):
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    h = x
    for i, (n_in, n_out) in enumerate([(4, 16), (16, 8)]):
        W = v1.Variable(rng.normal(size=(n_in, n_out)).astype(np.float32) * 0.5, name="W%d" % i)
        b = v1.Variable(rng.normal(size=(n_out,)).astype(np.float32) * 0.1, name="b%d" % i)
        h = tf.nn.relu(tf.nn.bias_add(tf.matmul(h, W), b), name="h%d" % i)
    W = v1.Variable(rng.normal(size=(8, 3)).astype(np.float32), name="W_out")
    logits = tf.matmul(h, W, name="logits")
    probs = tf.nn.softmax(logits, name="probs")
    classes = tf.argmax(probs, axis=1, name="classes")
    feeds = {"x": rng.normal(size=(6, 4)).astype(np.float32)}
    return feeds, [probs, classes]


def many_ops(tf, np, v1, rng):
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    k = v1.placeholder_with_default(np.float32(2.0), [], name="k")
    W = v1.Variable(rng.normal(size=(3, 4)).astype(np.float32), name="W")
    a = tf.matmul(x, W, transpose_b=True)  # [n, 3]
    a = tf.nn.bias_add(a, tf.constant([0.1, -0.2, 0.3]))
    outs = []
    outs.append(tf.nn.relu6(a * 4.0, name="relu6"))
    outs.append(tf.nn.leaky_relu(a, alpha=0.1, name="leaky"))
    outs.append(tf.nn.elu(a, name="elu"))
    outs.append(tf.nn.softplus(a, name="softplus"))
    outs.append(tf.sigmoid(a) * tf.tanh(a) - tf.exp(-tf.square(a)))
    pos = tf.abs(a) + 0.5
    outs.append(tf.sqrt(pos) + tf.math.rsqrt(pos) + tf.math.log(pos) + tf.pow(pos, k))
    outs.append(tf.maximum(a, 0.2) - tf.minimum(a, -0.2) + tf.math.divide(a, pos) - tf.negative(a))
    outs.append(tf.where(a > 0.0, a, tf.stop_gradient(a) * 0.5))
    outs.append(tf.cast(tf.logical_and(a >= -0.5, tf.less_equal(a, 0.5)), tf.float32))
    outs.append(tf.reduce_mean(a, axis=0, keepdims=True))
    outs.append(tf.reduce_sum(a, axis=[0, 1]))
    outs.append(tf.reduce_max(a, axis=1) + tf.reduce_min(a, axis=-1) + tf.reduce_prod(pos, axis=1))
    outs.append(tf.argmin(a, axis=1, output_type=tf.int32))
    r = tf.reshape(a, [-1])
    t = tf.transpose(tf.reshape(a, [-1, 1, 3]), [2, 0, 1])
    outs.append(tf.squeeze(tf.expand_dims(r, 0), axis=[0]))
    outs.append(tf.concat([t, t * 2.0], axis=-1))
    outs.append(tf.nn.log_softmax(a))
    b3 = tf.reshape(tf.concat([a, a], axis=1), [-1, 2, 3])
    outs.append(tf.matmul(b3, tf.transpose(b3, [0, 2, 1])))  # BatchMatMulV2
    outs.append(tf.cast(tf.equal(tf.argmax(a, axis=1), 0), tf.int32) + tf.constant(1, tf.int32))
    names = []
    for i, o in enumerate(outs):
        names.append(tf.identity(o, name="out%d" % i))
    feeds = {"x": rng.normal(size=(4, 4)).astype(np.float32)}
    return feeds, names


def cnn(tf, np, v1, rng):
    """A TF1 CNN in inference form: conv, fused batch norm, max and average pooling, dense."""
    x = v1.placeholder(tf.float32, [None, 7, 7, 2], name="x")

    def weight(*shape):
        return v1.Variable(rng.normal(size=shape).astype(np.float32) * 0.5)

    def channels(n, lo=-0.5, hi=0.5):
        return tf.constant(rng.uniform(lo, hi, size=n).astype(np.float32))

    h = tf.nn.conv2d(x, weight(3, 3, 2, 4), strides=[1, 1, 1, 1], padding="SAME")
    h, _, _ = v1.nn.fused_batch_norm(h, channels(4, 0.5, 1.5), channels(4), mean=channels(4), variance=channels(4, 0.5, 2),
                                     epsilon=1e-3, is_training=False)
    h = tf.nn.max_pool(tf.nn.relu(h), ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")  # [n, 3, 3, 4]
    h = tf.nn.conv2d(h, weight(2, 2, 4, 5), strides=[1, 2, 2, 1], padding="SAME")  # [n, 2, 2, 5]
    d = tf.nn.conv2d(x, weight(3, 3, 2, 3), strides=1, padding="VALID", dilations=2)  # [n, 3, 3, 3]
    a = tf.nn.avg_pool(d, ksize=3, strides=2, padding="SAME")  # [n, 2, 2, 3]
    flat = tf.reshape(tf.concat([h, a], axis=3), [-1, 32])
    probs = tf.nn.softmax(tf.matmul(flat, weight(32, 3)), name="probs")
    feeds = {"x": rng.normal(size=(3, 7, 7, 2)).astype(np.float32)}
    return feeds, [probs]


def write_case(path, feeds, fetches, np):
    def tensor(kind, name, a):
        a = np.asarray(a)
        dtype = {"float32": "float32", "float64": "float64", "int32": "int32", "int64": "int64", "bool": "bool"}[
            str(a.dtype)
        ]
        head = "%s %s %s %d %s" % (kind, name, dtype, a.ndim, " ".join(str(d) for d in a.shape))
        values = " ".join(("%.9g" % float(v)) if a.dtype.kind == "f" else str(int(v)) for v in a.reshape(-1))
        return head.rstrip() + "\n" + values + "\n"

    with open(path, "w") as f:
        for name, a in feeds.items():
            f.write(tensor("feed", name, a))
        for name, a in fetches:
            f.write(tensor("fetch", name, a))


def freeze(tf, np, name, build, out_dir):
    v1 = tf.compat.v1
    rng = np.random.default_rng(SEED + len(name))
    graph = tf.Graph()
    with graph.as_default():
        feeds, outputs = build(tf, np, v1, rng)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            output_names = [o.op.name for o in outputs]
            frozen = v1.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), output_names)
            values = sess.run(outputs, {graph.get_tensor_by_name(k + ":0"): v for k, v in feeds.items()})
    with open(os.path.join(out_dir, name + ".pb"), "wb") as f:
        f.write(frozen.SerializeToString())
    write_case(os.path.join(out_dir, name + ".txt"), feeds, list(zip(output_names, values)), np)
    return sorted({n.op for n in frozen.node})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runner")
    parser.add_argument("--out")
    args = parser.parse_args()
    imported = import_tensorflow()
    if imported is None:
        return SKIP
    tf, np = imported
    out_dir = args.out or tempfile.mkdtemp(prefix="typeflow-pb-")
    os.makedirs(out_dir, exist_ok=True)
    failed = 0
    graphs = [("regression", regression), ("mlp", mlp), ("many_ops", many_ops), ("cnn", cnn)]
    for name, build in graphs:
        ops = freeze(tf, np, name, build, out_dir)
        print("%s: TensorFlow %s wrote ops %s" % (name, tf.__version__, " ".join(ops)))
        r = subprocess.run([args.runner, os.path.join(out_dir, name + ".pb"), os.path.join(out_dir, name + ".txt")])
        failed += r.returncode != 0
    print("%d of %d frozen graphs agree with TensorFlow" % (len(graphs) - failed, len(graphs)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
