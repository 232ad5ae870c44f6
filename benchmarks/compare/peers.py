#!/usr/bin/env python3
"""The Python peers of the comparison: one framework, one thread setting, every workload.

compare.py runs this once per (peer, thread count) in a subprocess, with the thread environment
already set (OMP/OPENBLAS/MKL_NUM_THREADS, XLA_FLAGS, TF_NUM_*_THREADS, and taskset for one
thread), because most frameworks fix their thread pools when they are imported or first used:

    python peers.py --peer jax --threads 1 [--quick] --out result.json

Each workload is first checked against the NumPy reference in this file (same inputs, same
initial values), then timed: warm-up calls (JIT compilation), a call count k calibrated so that k
calls last at least --min-time seconds, then --reps repetitions of k calls; the median per call
is reported. With one thread the clock is the process's CPU time (every thread of the process,
as Google Benchmark's MeasureProcessCPUTime on the C++ side); with several, wall time. JAX
results are waited for (block_until_ready) after every call.

The workloads (keep in step with bench_compare.cpp, bench_linear_regression.cpp, bench_mlp.cpp):
  chain        exp(-square(x)) * tanh(x * 1.5 + 0.5) + x over 2^24 floats in [-2, 2)
  linreg       one GradientDescentOptimizer(0.01) step of mean((x W + b - y)^2), x [1000, 3]
  mlp784       one Adam(0.001) step (TF1's ApplyAdam formula, epsilon 1e-8) of a 784-128-10 ReLU
               perceptron, batch 64, sparse softmax cross-entropy, mean over the batch
  ratio_*      loss alone and loss with all gradients: the 64-128-10 perceptron (pixels k/16),
               and 10 times t = exp(tanh(t) * v + 0.5) * 0.5 from t = v (2^16 floats), sum
  gemm_MxKxN   C = A B, floats in [-1, 1)
  eager_op     one eager op (a + b) on 8 floats: an eager framework's dispatch cost (bench_eager.cpp)
  eager_taped_100
               a fresh gradient tape that watches a, then 100 recorded ops a + b (PyTorch: a with
               requires_grad); JAX records nothing, so it has no entry
  conv_layer   a 3x3 "SAME" convolution of x [64, 28, 28, 32] by W [3, 3, 32, 64]: y, and the
               gradients of sum(y * g) to x and W (bench_conv.cpp)
  cnn_step     one Adam(0.001) step of TF's deep-MNIST CNN, batch 64 of 28x28x1: conv 5x5 32 +
               bias, ReLU, max-pool 2x2, conv 5x5 64 + bias, ReLU, max-pool 2x2, dense 3136-128
               ReLU, dense 128-10, sparse softmax cross-entropy (PyTorch computes in NCHW, its
               layout, and flattens in TF's NHWC order)
"""

import argparse
import json
import math
import os
import statistics
import sys
import time
import traceback

try:
    import numpy as np
except ImportError:  # compare.py imports this file for its lists only, maybe without NumPy
    np = None

CHAIN_N = 1 << 24
LR_ROWS = 1000
BATCH, HIDDEN, CLASSES = 64, 128, 10
ADAM = dict(lr=0.001, b1=0.9, b2=0.999, eps=1e-8)
CHAIN50_N = 1 << 16
GEMM_SHAPES = [(64, 64, 64), (128, 128, 128), (256, 256, 256), (512, 512, 512), (1024, 1024, 1024),
               (64, 784, 128), (1000, 3, 1), (64, 128, 10)]
WORKLOADS = (["chain", "linreg", "mlp784", "ratio_mlp64_loss", "ratio_mlp64_loss_grad", "ratio_chain50_loss",
              "ratio_chain50_loss_grad"] + ["gemm_%dx%dx%d" % s for s in GEMM_SHAPES] + ["eager_op", "eager_taped_100"] +
             ["conv_layer", "cnn_step"])
CNN_PARAMS = ["W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4"]
PEERS = ["numpy", "tf1_session", "tf_jit", "jax_jit", "torch_eager", "tf_eager", "jax_eager"]
TAPED_OPS = 100


# ---------------------------------------------------------------------------------------------
# Data and the NumPy reference (float32 throughout, as the C++ side).

def make_data():
    rng = np.random.default_rng(2024)
    f32 = np.float32
    d = {}
    d["chain_x"] = rng.uniform(-2, 2, CHAIN_N).astype(f32)
    x = rng.uniform(0, 1, (LR_ROWS, 3)).astype(f32)
    d["lr_x"] = x
    d["lr_y"] = (x @ np.array([[0.6], [0.1], [0.3]], f32) + 0.05 + 0.02 * (rng.uniform(0, 1, (LR_ROWS, 1)) - 0.5)).astype(f32)
    d["lr_W"] = rng.normal(0, 1, (3, 1)).astype(f32)
    d["lr_b"] = rng.normal(0, 1, (1,)).astype(f32)
    for dim in (64, 784):
        d["mlp%d_x" % dim] = (rng.integers(0, 17, (BATCH, dim)) / 16 if dim == 64 else rng.uniform(0, 1, (BATCH, dim))).astype(f32)
        d["mlp%d_y" % dim] = rng.integers(0, CLASSES, BATCH).astype(np.int64)
        d["mlp%d_params" % dim] = [np.clip(rng.normal(0, 0.1, (dim, HIDDEN)), -0.2, 0.2).astype(f32), np.zeros(HIDDEN, f32),
                                   np.clip(rng.normal(0, 0.1, (HIDDEN, CLASSES)), -0.2, 0.2).astype(f32), np.zeros(CLASSES, f32)]
    d["chain50_v"] = rng.uniform(-1, 1, CHAIN50_N).astype(f32)
    for m, k, n in GEMM_SHAPES:
        d["gemm_%dx%dx%d" % (m, k, n)] = (rng.uniform(-1, 1, (m, k)).astype(f32), rng.uniform(-1, 1, (k, n)).astype(f32))
    d["eager_a"], d["eager_b"] = np.arange(1, 9, dtype=f32), np.arange(8, 0, -1, dtype=f32)  # as bench_eager.cpp
    d["conv_x"] = rng.uniform(-1, 1, (BATCH, 28, 28, 32)).astype(f32)
    d["conv_W"] = rng.uniform(-0.1, 0.1, (3, 3, 32, 64)).astype(f32)
    d["conv_g"] = rng.uniform(-1, 1, (BATCH, 28, 28, 64)).astype(f32)
    d["cnn_x"] = rng.uniform(0, 1, (BATCH, 28, 28, 1)).astype(f32)
    d["cnn_y"] = rng.integers(0, CLASSES, BATCH).astype(np.int64)
    normal = lambda shape, sd: np.clip(rng.normal(0, sd, shape), -2 * sd, 2 * sd).astype(f32)
    d["cnn_params"] = [normal((5, 5, 1, 32), 0.1), np.full(32, 0.1, f32), normal((5, 5, 32, 64), 0.1), np.full(64, 0.1, f32),
                       normal((3136, HIDDEN), 0.02), np.full(HIDDEN, 0.1, f32), normal((HIDDEN, CLASSES), 0.1),
                       np.zeros(CLASSES, f32)]
    return d


# The convolution workloads in NumPy (float64): "SAME" convolutions (stride 1) through windows of
# the padded input, max-pooling 2x2 / 2 of even sizes through a reshape.

def np_conv_same(x, W):
    from numpy.lib.stride_tricks import sliding_window_view
    p = W.shape[0] // 2
    windows = sliding_window_view(np.pad(x, ((0, 0), (p, p), (p, p), (0, 0))), W.shape[:2], axis=(1, 2))
    return np.einsum("nhwcij,ijco->nhwo", windows, W, optimize=True), windows


def np_conv_same_grads(windows, W, g):
    """dx and dW of sum(conv_same(x, W) * g): W's gradient from the windows, x's a full
    correlation of g with the flipped filter."""
    from numpy.lib.stride_tricks import sliding_window_view
    k, p = W.shape[0], W.shape[0] // 2
    dW = np.einsum("nhwcij,nhwo->ijco", windows, g, optimize=True)
    gw = sliding_window_view(np.pad(g, ((0, 0), (k - 1 - p, k - 1 - p), (k - 1 - p, k - 1 - p), (0, 0))), (k, k), axis=(1, 2))
    dx = np.einsum("nhwoij,ijco->nhwc", gw, W[::-1, ::-1], optimize=True)
    return dx, dW


def np_max_pool2(x):
    n, h, w, c = x.shape
    y = x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))
    mask = x == np.repeat(np.repeat(y, 2, axis=1), 2, axis=2)
    return y, mask


def np_cnn_loss_grads(params, x, y):
    W1, b1, W2, b2, W3, b3, W4, b4 = [p.astype(np.float64) for p in params]
    c1, win1 = np_conv_same(x.astype(np.float64), W1)
    r1 = np.maximum(c1 + b1, 0)
    p1, m1 = np_max_pool2(r1)
    c2, win2 = np_conv_same(p1, W2)
    r2 = np.maximum(c2 + b2, 0)
    p2, m2 = np_max_pool2(r2)
    flat = p2.reshape(len(x), -1)
    h3 = np.maximum(flat @ W3 + b3, 0)
    logits = h3 @ W4 + b4
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(len(y)), y].mean()
    dlogits = np.exp(logp)
    dlogits[np.arange(len(y)), y] -= 1
    dlogits /= len(y)
    dW4, db4 = h3.T @ dlogits, dlogits.sum(0)
    dh3 = (dlogits @ W4.T) * (h3 > 0)
    dW3, db3 = flat.T @ dh3, dh3.sum(0)
    dp2 = (dh3 @ W3.T).reshape(p2.shape)
    dr2 = np.repeat(np.repeat(dp2, 2, axis=1), 2, axis=2) * m2 * (r2 > 0)
    dp1, dW2 = np_conv_same_grads(win2, W2, dr2)
    dr1 = np.repeat(np.repeat(dp1, 2, axis=1), 2, axis=2) * m1 * (r1 > 0)
    _, dW1 = np_conv_same_grads(win1, W1, dr1)
    return loss, [dW1, dr1.sum((0, 1, 2)), dW2, dr2.sum((0, 1, 2)), dW3, db3, dW4, db4]


def np_chain(x):
    return np.exp(-np.square(x)) * np.tanh(x * np.float32(1.5) + np.float32(0.5)) + x


def np_linreg_step(W, b, x, y, lr=0.01):
    lr = np.float32(lr)
    e = x @ W + b - y
    scale = np.float32(2.0 / len(x))
    return W - lr * scale * (x.T @ e), b - lr * scale * e.sum(0)


def np_mlp_loss_grads(params, x, y):
    W1, b1, W2, b2 = params
    pre = x @ W1 + b1
    h = np.maximum(pre, 0)
    logits = h @ W2 + b2
    z = logits - logits.max(1, keepdims=True)
    e = np.exp(z)
    s = e.sum(1, keepdims=True)
    rows = np.arange(len(y))
    loss = np.mean(np.log(s[:, 0]) - z[rows, y])
    d = e / s
    d[rows, y] -= 1
    d /= np.float32(len(y))
    dh = (d @ W2.T) * (pre > 0)
    return loss, [x.T @ dh, dh.sum(0), h.T @ d, d.sum(0)]


def adam_lr_t(t):
    """TF1's ApplyAdam step size at step t (1-based): from the beta powers before they advance."""
    return ADAM["lr"] * math.sqrt(1 - ADAM["b2"] ** t) / (1 - ADAM["b1"] ** t)


def np_adam(params, m, v, grads, t):
    lr_t = np.float32(adam_lr_t(t))
    b1, b2, eps = np.float32(ADAM["b1"]), np.float32(ADAM["b2"]), np.float32(ADAM["eps"])
    for p, mi, vi, g in zip(params, m, v, grads):
        mi += (g - mi) * (1 - b1)
        vi += (g * g - vi) * (1 - b2)
        p -= lr_t * mi / (np.sqrt(vi) + eps)


def np_chain50(v):
    """The chain's sum and its derivative in v (forward mode: d t_{i+1} = t_{i+1} (tanh t_i + v (1 - tanh^2 t_i) d t_i))."""
    v = v.astype(np.float64)
    t, dt = v, np.ones_like(v)
    for _ in range(10):
        th = np.tanh(t)
        t_next = np.exp(th * v + 0.5) * 0.5
        dt = t_next * (th + v * (1 - th * th) * dt)
        t = t_next
    return t.sum(), dt


def reference(d, w):
    """What each workload must compute, as a dict of named arrays."""
    if w == "chain":
        return {"y": np_chain(d["chain_x"])}
    if w == "linreg":
        W, b = np_linreg_step(d["lr_W"], d["lr_b"], d["lr_x"], d["lr_y"])
        return {"W": W, "b": b}
    if w == "mlp784":
        params = [p.copy() for p in d["mlp784_params"]]
        loss, grads = np_mlp_loss_grads(params, d["mlp784_x"], d["mlp784_y"])
        m, v = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
        np_adam(params, m, v, grads, 1)
        return {"W1": params[0], "b1": params[1], "W2": params[2], "b2": params[3]}
    if w.startswith("ratio_mlp64"):
        loss, grads = np_mlp_loss_grads(d["mlp64_params"], d["mlp64_x"], d["mlp64_y"])
        return {"loss": loss} if w.endswith("_loss") else {"loss": loss, "dW1": grads[0], "db1": grads[1], "dW2": grads[2], "db2": grads[3]}
    if w.startswith("ratio_chain50"):
        loss, grad = np_chain50(d["chain50_v"])
        return {"loss": loss} if w.endswith("_loss") else {"loss": loss, "dv": grad}
    if w.startswith("gemm_"):
        a, b = d[w]
        return {"c": a.astype(np.float64) @ b.astype(np.float64)}
    if w.startswith("eager_"):
        return {"y": d["eager_a"] + d["eager_b"]}
    if w == "conv_layer":
        y, windows = np_conv_same(d["conv_x"].astype(np.float64), d["conv_W"].astype(np.float64))
        dx, dW = np_conv_same_grads(windows, d["conv_W"].astype(np.float64), d["conv_g"].astype(np.float64))
        return {"y": y, "dx": dx, "dW": dW}
    if w == "cnn_step":
        params = [p.astype(np.float64) for p in d["cnn_params"]]
        _, grads = np_cnn_loss_grads(params, d["cnn_x"], d["cnn_y"])
        m, v = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
        np_adam(params, m, v, grads, 1)
        return dict(zip(CNN_PARAMS, params))
    raise KeyError(w)


def check(w, got, ref):
    """got must match ref: 1e-4 of each array's largest value (GEMM: 1e-5 k; after an Adam step:
    99% of the weights within 1e-5 and all within 2 lr, since Adam moves a weight whose gradient is
    zero up to rounding by up to lr either way)."""
    for name, r in ref.items():
        r = np.asarray(r, np.float64)
        g = np.asarray(got[name], np.float64).reshape(r.shape)
        scale = max(1.0, float(np.max(np.abs(r))) if r.size else 1.0)
        err = np.abs(g - r)
        if w in ("mlp784", "cnn_step"):
            if not (np.max(err) <= 2 * ADAM["lr"] and np.mean(err <= 1e-5) >= 0.99):
                raise AssertionError("%s %s: %.3g of the values differ by more than 1e-5 (max %.3g)" % (w, name, np.mean(err > 1e-5), np.max(err)))
            continue
        tol = (1e-5 * int(w.split("x")[1]) if w.startswith("gemm_") else 1e-4) * scale
        if not np.all(err <= tol):
            i = int(np.argmax(err))
            raise AssertionError("%s %s[%d] = %.7g, NumPy reference %.7g (tolerance %.3g)" % (w, name, i, g.flat[i], r.flat[i], tol))


# ---------------------------------------------------------------------------------------------
# The peers. Each make_* returns {workload: (call, result)}: call() runs one iteration and waits
# for it; result() runs one fresh iteration from the initial state (for the check) and returns
# the named arrays.

def make_numpy(d, threads):
    out = {}
    x = d["chain_x"]
    out["chain"] = (lambda: np_chain(x), lambda: {"y": np_chain(x)})

    class LinReg:
        def __init__(s): s.W, s.b = d["lr_W"].copy(), d["lr_b"].copy()
        def step(s): s.W, s.b = np_linreg_step(s.W, s.b, d["lr_x"], d["lr_y"])
    lr = LinReg()

    def lr_result():
        s = LinReg()
        s.step()
        return {"W": s.W, "b": s.b}
    out["linreg"] = (lr.step, lr_result)

    class MLP:
        def __init__(s):
            s.p = [p.copy() for p in d["mlp784_params"]]
            s.m, s.v, s.t = [np.zeros_like(p) for p in s.p], [np.zeros_like(p) for p in s.p], 0
        def step(s):
            _, g = np_mlp_loss_grads(s.p, d["mlp784_x"], d["mlp784_y"])
            s.t += 1
            np_adam(s.p, s.m, s.v, g, s.t)
    mlp = MLP()

    def mlp_result():
        s = MLP()
        s.step()
        return dict(zip(["W1", "b1", "W2", "b2"], s.p))
    out["mlp784"] = (mlp.step, mlp_result)
    for shape in GEMM_SHAPES:
        w = "gemm_%dx%dx%d" % shape
        a, b = d[w]
        out[w] = ((lambda a=a, b=b: a @ b), (lambda a=a, b=b: {"c": a @ b}))
    return out


# The Adam step of every peer, TF1's ApplyAdam formula (lr_t from the powers before they advance).

def tf_adam_trainer(tf, fn, loss, initial):
    """A jitted TF2 training step of loss(x, y, *params) by Adam: (step(x, y), params)."""
    b1, b2, eps = ADAM["b1"], ADAM["b2"], ADAM["eps"]
    params = [tf.Variable(p) for p in initial]
    m = [tf.Variable(tf.zeros_like(p)) for p in params]
    v = [tf.Variable(tf.zeros_like(p)) for p in params]
    b1p, b2p = tf.Variable(b1, dtype=tf.float32), tf.Variable(b2, dtype=tf.float32)

    @fn
    def step(x, y):
        with tf.GradientTape() as tape:
            value = loss(x, y, *params)
        grads = tape.gradient(value, params)
        lr_t = ADAM["lr"] * tf.sqrt(1 - b2p) / (1 - b1p)
        for p, mi, vi, gi in zip(params, m, v, grads):
            mi.assign_add((gi - mi) * (1 - b1))
            vi.assign_add((gi * gi - vi) * (1 - b2))
            p.assign_sub(lr_t * mi / (tf.sqrt(vi) + eps))
        b1p.assign(b1p * b1)
        b2p.assign(b2p * b2)
        return value
    return step, params


def jax_adam(jnp, p, m, v, t, g):
    """One Adam update of the tuples p, m, v by gradients g at step t: (p, m, v)."""
    b1, b2, eps = ADAM["b1"], ADAM["b2"], ADAM["eps"]
    lr_t = ADAM["lr"] * jnp.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    m = tuple(mi + (gi - mi) * (1 - b1) for mi, gi in zip(m, g))
    v = tuple(vi + (gi * gi - vi) * (1 - b2) for vi, gi in zip(v, g))
    return tuple(pi - lr_t * mi / (jnp.sqrt(vi) + eps) for pi, mi, vi in zip(p, m, v)), m, v


def torch_adam(torch, s, grads):
    """One Adam update, in place, of the state s = {"p", "m", "v", "t"} by grads."""
    b1, b2, eps = ADAM["b1"], ADAM["b2"], ADAM["eps"]
    s["t"] += 1
    lr_t = adam_lr_t(s["t"])
    with torch.no_grad():
        for p, m, v, g in zip(s["p"], s["m"], s["v"], grads):
            m.add_(g - m, alpha=1 - b1)
            v.add_(g * g - v, alpha=1 - b2)
            p.sub_(lr_t * m / (v.sqrt() + eps))


def make_tf(d, threads, jit):
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    v1 = tf.compat.v1
    out = {}
    b1, b2, eps = ADAM["b1"], ADAM["b2"], ADAM["eps"]

    def mlp_logits_loss(x, y, W1, bb1, W2, bb2):
        logits = tf.matmul(tf.nn.relu(tf.matmul(x, W1) + bb1), W2) + bb2
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))

    def chain50_loss(v):
        t = v
        for _ in range(10):
            t = tf.exp(tf.tanh(t) * v + 0.5) * 0.5
        return tf.reduce_sum(t)

    if not jit:
        # TF1 programs: a graph, placeholders, variables, an optimizer, Session.run with feed_dict.
        config = v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=threads)

        def session(graph):
            return v1.Session(graph=graph, config=config)

        g = tf.Graph()
        with g.as_default():
            x = v1.placeholder(tf.float32, [None])
            y = tf.exp(-tf.square(x)) * tf.tanh(x * 1.5 + 0.5) + x
        s_chain = session(g)
        out["chain"] = (lambda: s_chain.run(y, {x: d["chain_x"]}), lambda: {"y": s_chain.run(y, {x: d["chain_x"]})})

        def linreg():
            g = tf.Graph()
            with g.as_default():
                X = v1.placeholder(tf.float32, [None, 3], name="X")
                Y = v1.placeholder(tf.float32, [None, 1], name="Y")
                W = v1.Variable(d["lr_W"], name="weight")
                b = v1.Variable(d["lr_b"], name="bias")
                hypothesis = tf.matmul(X, W) + b
                cost = tf.reduce_mean(tf.square(hypothesis - Y))
                train = v1.train.GradientDescentOptimizer(0.01).minimize(cost)
                init = v1.global_variables_initializer()
            s = session(g)
            s.run(init)
            feed = {X: d["lr_x"], Y: d["lr_y"]}
            return s, train, feed, [W, b]

        s_lr, train_lr, feed_lr, _ = linreg()

        def lr_result():
            s, train, feed, (W, b) = linreg()
            s.run(train, feed)
            return dict(zip(["W", "b"], s.run([W, b])))
        out["linreg"] = (lambda: s_lr.run(train_lr, feed_lr), lr_result)

        def mlp(dim, what):
            g = tf.Graph()
            with g.as_default():
                x = v1.placeholder(tf.float32, [None, dim], name="x")
                y = v1.placeholder(tf.int64, [None], name="y")
                params = [v1.Variable(p, name=n) for p, n in zip(d["mlp%d_params" % dim], ["W1", "b1", "W2", "b2"])]
                loss = mlp_logits_loss(x, y, *params)
                if what == "train":
                    fetch = v1.train.AdamOptimizer(ADAM["lr"], b1, b2, eps).minimize(loss)
                elif what == "loss":
                    fetch = loss
                else:
                    fetch = [loss] + tf.gradients(loss, params)
                init = v1.global_variables_initializer()
            s = session(g)
            s.run(init)
            return s, fetch, {x: d["mlp%d_x" % dim], y: d["mlp%d_y" % dim]}, params

        s_mlp, train_mlp, feed_mlp, _ = mlp(784, "train")

        def mlp_result():
            s, train, feed, params = mlp(784, "train")
            s.run(train, feed)
            return dict(zip(["W1", "b1", "W2", "b2"], s.run(params)))
        out["mlp784"] = (lambda: s_mlp.run(train_mlp, feed_mlp), mlp_result)

        for what in ("loss", "loss_grad"):
            s, fetch, feed, _ = mlp(64, what)
            names = ["loss"] if what == "loss" else ["loss", "dW1", "db1", "dW2", "db2"]
            out["ratio_mlp64_" + what] = ((lambda s=s, f=fetch, fd=feed: s.run(f, fd)),
                                          (lambda s=s, f=fetch, fd=feed, n=names: dict(zip(n, np.atleast_1d(s.run(f, fd)) if len(n) == 1 else s.run(f, fd)))))
            g = tf.Graph()
            with g.as_default():
                v = v1.Variable(d["chain50_v"], name="v")
                loss = chain50_loss(v)
                fetch = loss if what == "loss" else [loss] + tf.gradients(loss, [v])
                init = v1.global_variables_initializer()
            s = session(g)
            s.run(init)
            names = ["loss"] if what == "loss" else ["loss", "dv"]
            out["ratio_chain50_" + what] = ((lambda s=s, f=fetch: s.run(f)),
                                            (lambda s=s, f=fetch, n=names: dict(zip(n, [s.run(f)] if len(n) == 1 else s.run(f)))))
        for shape in GEMM_SHAPES:
            w = "gemm_%dx%dx%d" % shape
            g = tf.Graph()
            with g.as_default():
                a = v1.placeholder(tf.float32, [None, None])
                b = v1.placeholder(tf.float32, [None, None])
                c = tf.matmul(a, b)
            s = session(g)
            feed = {a: d[w][0], b: d[w][1]}
            out[w] = ((lambda s=s, c=c, f=feed: s.run(c, f)), (lambda s=s, c=c, f=feed: {"c": s.run(c, f)}))
        return out

    # TF2: tf.function(jit_compile=True), inputs already tensors, state in tf.Variables.
    fn = tf.function(jit_compile=True)
    xc = tf.constant(d["chain_x"])
    chain = fn(lambda x: tf.exp(-tf.square(x)) * tf.tanh(x * 1.5 + 0.5) + x)
    out["chain"] = (lambda: chain(xc), lambda: {"y": chain(xc).numpy()})

    lr_x, lr_y = tf.constant(d["lr_x"]), tf.constant(d["lr_y"])

    def linreg():
        W, b = tf.Variable(d["lr_W"]), tf.Variable(d["lr_b"])

        @fn
        def step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(x, W) + b - y))
            gW, gb = tape.gradient(loss, [W, b])
            W.assign_sub(0.01 * gW)
            b.assign_sub(0.01 * gb)
            return loss
        return step, W, b
    step_lr, _, _ = linreg()

    def lr_result():
        step, W, b = linreg()
        step(lr_x, lr_y)
        return {"W": W.numpy(), "b": b.numpy()}
    out["linreg"] = (lambda: step_lr(lr_x, lr_y), lr_result)

    mx, my = tf.constant(d["mlp784_x"]), tf.constant(d["mlp784_y"])

    def mlp():
        return tf_adam_trainer(tf, fn, mlp_logits_loss, d["mlp784_params"])
    step_mlp, _ = mlp()

    def mlp_result():
        step, params = mlp()
        step(mx, my)
        return dict(zip(["W1", "b1", "W2", "b2"], [p.numpy() for p in params]))
    out["mlp784"] = (lambda: step_mlp(mx, my), mlp_result)

    sx, sy = tf.constant(d["mlp64_x"]), tf.constant(d["mlp64_y"])
    params64 = [tf.Variable(p) for p in d["mlp64_params"]]
    loss64 = fn(lambda x, y: mlp_logits_loss(x, y, *params64))

    @fn
    def loss_grad64(x, y):
        with tf.GradientTape() as tape:
            loss = mlp_logits_loss(x, y, *params64)
        return [loss] + tape.gradient(loss, params64)
    out["ratio_mlp64_loss"] = (lambda: loss64(sx, sy), lambda: {"loss": loss64(sx, sy).numpy()})
    out["ratio_mlp64_loss_grad"] = (lambda: loss_grad64(sx, sy),
                                    lambda: dict(zip(["loss", "dW1", "db1", "dW2", "db2"], [t.numpy() for t in loss_grad64(sx, sy)])))
    cv = tf.Variable(d["chain50_v"])
    c50 = fn(lambda: chain50_loss(cv))

    @fn
    def c50_grad():
        with tf.GradientTape() as tape:
            loss = chain50_loss(cv)
        return loss, tape.gradient(loss, cv)
    out["ratio_chain50_loss"] = (lambda: c50(), lambda: {"loss": c50().numpy()})
    out["ratio_chain50_loss_grad"] = (lambda: c50_grad(), lambda: dict(zip(["loss", "dv"], [t.numpy() for t in c50_grad()])))
    mm = fn(tf.matmul)
    for shape in GEMM_SHAPES:
        w = "gemm_%dx%dx%d" % shape
        a, b = tf.constant(d[w][0]), tf.constant(d[w][1])
        out[w] = ((lambda a=a, b=b: mm(a, b)), (lambda a=a, b=b: {"c": mm(a, b).numpy()}))
    return out


def make_jax(d, threads):
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_platforms", "cpu")
    out = {}

    def ready(r):
        return jax.block_until_ready(r)

    xc = jnp.asarray(d["chain_x"])
    chain = jax.jit(lambda x: jnp.exp(-jnp.square(x)) * jnp.tanh(x * 1.5 + 0.5) + x)
    out["chain"] = (lambda: ready(chain(xc)), lambda: {"y": np.asarray(chain(xc))})

    lr_x, lr_y = jnp.asarray(d["lr_x"]), jnp.asarray(d["lr_y"])

    def lr_loss(p, x, y):
        W, b = p
        return jnp.mean(jnp.square(x @ W + b - y))

    @jax.jit
    def lr_step(p, x, y):
        g = jax.grad(lr_loss)(p, x, y)
        return tuple(a - 0.01 * ga for a, ga in zip(p, g))
    state = {"lr": (jnp.asarray(d["lr_W"]), jnp.asarray(d["lr_b"]))}

    def lr_call():
        state["lr"] = ready(lr_step(state["lr"], lr_x, lr_y))
    out["linreg"] = (lr_call, lambda: dict(zip(["W", "b"], map(np.asarray, lr_step((jnp.asarray(d["lr_W"]), jnp.asarray(d["lr_b"])), lr_x, lr_y)))))

    def mlp_loss(p, x, y):
        W1, bb1, W2, bb2 = p
        logits = jax.nn.relu(x @ W1 + bb1) @ W2 + bb2
        logp = jax.nn.log_softmax(logits)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    @jax.jit
    def mlp_step(p, m, v, t, x, y):
        return jax_adam(jnp, p, m, v, t, jax.grad(mlp_loss)(p, x, y))

    mx, my = jnp.asarray(d["mlp784_x"]), jnp.asarray(d["mlp784_y"])

    def mlp_init():
        p = tuple(jnp.asarray(a) for a in d["mlp784_params"])
        return [p, tuple(jnp.zeros_like(a) for a in p), tuple(jnp.zeros_like(a) for a in p), 0]
    mlp_state = mlp_init()

    def mlp_call():
        p, m, v, t = mlp_state
        t += 1
        mlp_state[:] = list(ready(mlp_step(p, m, v, jnp.float32(t), mx, my))) + [t]

    def mlp_result():
        p, m, v, _ = mlp_init()
        p, _, _ = mlp_step(p, m, v, jnp.float32(1), mx, my)
        return dict(zip(["W1", "b1", "W2", "b2"], map(np.asarray, p)))
    out["mlp784"] = (mlp_call, mlp_result)

    sx, sy = jnp.asarray(d["mlp64_x"]), jnp.asarray(d["mlp64_y"])
    p64 = tuple(jnp.asarray(a) for a in d["mlp64_params"])
    loss64 = jax.jit(mlp_loss)
    vg64 = jax.jit(jax.value_and_grad(mlp_loss))
    out["ratio_mlp64_loss"] = (lambda: ready(loss64(p64, sx, sy)), lambda: {"loss": np.asarray(loss64(p64, sx, sy))})

    def vg64_result():
        loss, g = vg64(p64, sx, sy)
        return dict(zip(["loss", "dW1", "db1", "dW2", "db2"], map(np.asarray, [loss] + list(g))))
    out["ratio_mlp64_loss_grad"] = (lambda: ready(vg64(p64, sx, sy)), vg64_result)

    def c50_loss(v):
        t = v
        for _ in range(10):
            t = jnp.exp(jnp.tanh(t) * v + 0.5) * 0.5
        return jnp.sum(t)
    cv = jnp.asarray(d["chain50_v"])
    c50, c50vg = jax.jit(c50_loss), jax.jit(jax.value_and_grad(c50_loss))
    out["ratio_chain50_loss"] = (lambda: ready(c50(cv)), lambda: {"loss": np.asarray(c50(cv))})
    out["ratio_chain50_loss_grad"] = (lambda: ready(c50vg(cv)), lambda: dict(zip(["loss", "dv"], map(np.asarray, c50vg(cv)))))
    mm = jax.jit(jnp.matmul)
    for shape in GEMM_SHAPES:
        w = "gemm_%dx%dx%d" % shape
        a, b = jnp.asarray(d[w][0]), jnp.asarray(d[w][1])
        out[w] = ((lambda a=a, b=b: ready(mm(a, b))), (lambda a=a, b=b: {"c": np.asarray(mm(a, b))}))
    return out


def make_tf_eager(d, threads):
    """TensorFlow 2's eager mode: ops dispatched one by one, a GradientTape recording them."""
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    a, b = tf.constant(d["eager_a"]), tf.constant(d["eager_b"])

    def taped():
        with tf.GradientTape() as tape:
            tape.watch(a)
            for _ in range(TAPED_OPS):
                y = a + b
        return y
    return {"eager_op": (lambda: a + b, lambda: {"y": (a + b).numpy()}),
            "eager_taped_100": (taped, lambda: {"y": taped().numpy()})}


def make_jax_eager(d, threads):
    """JAX without jit: each op dispatched (and waited for) on its own."""
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_platforms", "cpu")
    a, b = jnp.asarray(d["eager_a"]), jnp.asarray(d["eager_b"])
    return {"eager_op": (lambda: jax.block_until_ready(a + b), lambda: {"y": np.asarray(a + b)})}


def make_torch(d, threads):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(threads)
    out = {}
    T = torch.from_numpy
    xc = T(d["chain_x"])
    chain = lambda: torch.exp(-torch.square(xc)) * torch.tanh(xc * 1.5 + 0.5) + xc
    out["chain"] = (chain, lambda: {"y": chain().numpy()})

    lr_x, lr_y = T(d["lr_x"]), T(d["lr_y"])

    def lr_init():
        return [T(d["lr_W"].copy()).requires_grad_(), T(d["lr_b"].copy()).requires_grad_()]

    def lr_step(p):
        loss = torch.mean(torch.square(lr_x @ p[0] + p[1] - lr_y))
        gW, gb = torch.autograd.grad(loss, p)
        with torch.no_grad():
            p[0].sub_(0.01 * gW)
            p[1].sub_(0.01 * gb)
    lr_p = lr_init()

    def lr_result():
        p = lr_init()
        lr_step(p)
        return {"W": p[0].detach().numpy(), "b": p[1].detach().numpy()}
    out["linreg"] = (lambda: lr_step(lr_p), lr_result)

    def mlp_loss(p, x, y):
        W1, bb1, W2, bb2 = p
        return F.cross_entropy(torch.relu(x @ W1 + bb1) @ W2 + bb2, y)

    mx, my = T(d["mlp784_x"]), T(d["mlp784_y"])

    def mlp_init():
        p = [T(a.copy()).requires_grad_() for a in d["mlp784_params"]]
        return {"p": p, "m": [torch.zeros_like(a) for a in p], "v": [torch.zeros_like(a) for a in p], "t": 0}

    def mlp_step(s):
        torch_adam(torch, s, torch.autograd.grad(mlp_loss(s["p"], mx, my), s["p"]))
    mlp_s = mlp_init()

    def mlp_result():
        s = mlp_init()
        mlp_step(s)
        return dict(zip(["W1", "b1", "W2", "b2"], [p.detach().numpy() for p in s["p"]]))
    out["mlp784"] = (lambda: mlp_step(mlp_s), mlp_result)

    sx, sy = T(d["mlp64_x"]), T(d["mlp64_y"])
    p64 = [T(a.copy()).requires_grad_() for a in d["mlp64_params"]]

    def loss64():
        with torch.no_grad():
            return mlp_loss(p64, sx, sy)

    def vg64():
        loss = mlp_loss(p64, sx, sy)
        return [loss] + list(torch.autograd.grad(loss, p64))
    out["ratio_mlp64_loss"] = (loss64, lambda: {"loss": loss64().numpy()})
    out["ratio_mlp64_loss_grad"] = (vg64, lambda: dict(zip(["loss", "dW1", "db1", "dW2", "db2"], [t.detach().numpy() for t in vg64()])))
    cv = T(d["chain50_v"].copy()).requires_grad_()

    def c50_loss():
        t = cv
        for _ in range(10):
            t = torch.exp(torch.tanh(t) * cv + 0.5) * 0.5
        return t.sum()

    def c50():
        with torch.no_grad():
            return c50_loss()

    def c50vg():
        loss = c50_loss()
        return [loss, torch.autograd.grad(loss, cv)[0]]
    out["ratio_chain50_loss"] = (c50, lambda: {"loss": c50().numpy()})
    out["ratio_chain50_loss_grad"] = (c50vg, lambda: dict(zip(["loss", "dv"], [t.detach().numpy() for t in c50vg()])))
    for shape in GEMM_SHAPES:
        w = "gemm_%dx%dx%d" % shape
        a, b = T(d[w][0]), T(d[w][1])
        out[w] = ((lambda a=a, b=b: torch.mm(a, b)), (lambda a=a, b=b: {"c": torch.mm(a, b).numpy()}))
    ea, eb = T(d["eager_a"].copy()), T(d["eager_b"].copy())
    with torch.no_grad():
        out["eager_op"] = ((lambda: ea + eb), (lambda: {"y": (ea + eb).numpy()}))
    ga = T(d["eager_a"].copy()).requires_grad_()

    def taped():  # autograd records every op on a tensor that requires a gradient
        for _ in range(TAPED_OPS):
            y = ga + eb
        return y
    out["eager_taped_100"] = (taped, lambda: {"y": taped().detach().numpy()})
    return out


# ---------------------------------------------------------------------------------------------
# The convolution workloads (conv_layer, cnn_step), per framework.

def cnn_tf(d, threads, jit):
    import tensorflow as tf
    v1 = tf.compat.v1
    b1, b2, eps = ADAM["b1"], ADAM["b2"], ADAM["eps"]

    def conv_grads(x, W, g):
        with tf.GradientTape() as tape:
            tape.watch([x, W])
            y = tf.nn.conv2d(x, W, strides=1, padding="SAME")
            loss = tf.reduce_sum(y * g)
        return [y] + tape.gradient(loss, [x, W])

    def cnn_loss(x, y, W1, bb1, W2, bb2, W3, bb3, W4, bb4):
        def block(h, W, b):
            h = tf.nn.relu(tf.nn.conv2d(h, W, strides=1, padding="SAME") + b)
            return tf.nn.max_pool(h, ksize=2, strides=2, padding="SAME")
        h = tf.reshape(block(block(x, W1, bb1), W2, bb2), [-1, 3136])
        logits = tf.matmul(tf.nn.relu(tf.matmul(h, W3) + bb3), W4) + bb4
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))

    out = {}
    if not jit:  # TF1: placeholders, tf.gradients, AdamOptimizer, Session.run
        config = v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=threads)
        g = tf.Graph()
        with g.as_default():
            x, W, gy = (v1.placeholder(tf.float32, d[k].shape) for k in ("conv_x", "conv_W", "conv_g"))
            y = tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="SAME")
            fetch = [y] + tf.gradients(tf.reduce_sum(y * gy), [x, W])
        s_conv = v1.Session(graph=g, config=config)
        feed = {x: d["conv_x"], W: d["conv_W"], gy: d["conv_g"]}
        out["conv_layer"] = (lambda: s_conv.run(fetch, feed), lambda: dict(zip(["y", "dx", "dW"], s_conv.run(fetch, feed))))

        def cnn():
            g = tf.Graph()
            with g.as_default():
                x = v1.placeholder(tf.float32, [None, 28, 28, 1])
                y = v1.placeholder(tf.int64, [None])
                params = [v1.Variable(p) for p in d["cnn_params"]]
                train = v1.train.AdamOptimizer(ADAM["lr"], b1, b2, eps).minimize(cnn_loss(x, y, *params))
                init = v1.global_variables_initializer()
            s = v1.Session(graph=g, config=config)
            s.run(init)
            return s, train, {x: d["cnn_x"], y: d["cnn_y"]}, params
        s_cnn, train_cnn, feed_cnn, _ = cnn()

        def cnn_result():
            s, train, feed, params = cnn()
            s.run(train, feed)
            return dict(zip(CNN_PARAMS, s.run(params)))
        out["cnn_step"] = (lambda: s_cnn.run(train_cnn, feed_cnn), cnn_result)
        return out

    fn = tf.function(jit_compile=True)
    cx, cW, cg = (tf.constant(d[k]) for k in ("conv_x", "conv_W", "conv_g"))
    conv = fn(conv_grads)
    out["conv_layer"] = (lambda: conv(cx, cW, cg), lambda: dict(zip(["y", "dx", "dW"], [t.numpy() for t in conv(cx, cW, cg)])))
    nx, ny = tf.constant(d["cnn_x"]), tf.constant(d["cnn_y"])

    def cnn():
        return tf_adam_trainer(tf, fn, cnn_loss, d["cnn_params"])
    step_cnn, _ = cnn()

    def cnn_result():
        step, params = cnn()
        step(nx, ny)
        return dict(zip(CNN_PARAMS, [p.numpy() for p in params]))
    out["cnn_step"] = (lambda: step_cnn(nx, ny), cnn_result)
    return out


def cnn_jax(d, threads):
    import jax
    import jax.numpy as jnp
    nhwc = ("NHWC", "HWIO", "NHWC")

    def conv(x, W):
        return jax.lax.conv_general_dilated(x, W, (1, 1), "SAME", dimension_numbers=nhwc)

    @jax.jit
    def conv_grads(x, W, g):
        y, vjp = jax.vjp(conv, x, W)
        return (y,) + vjp(g)
    cx, cW, cg = (jnp.asarray(d[k]) for k in ("conv_x", "conv_W", "conv_g"))
    out = {"conv_layer": (lambda: jax.block_until_ready(conv_grads(cx, cW, cg)),
                          lambda: dict(zip(["y", "dx", "dW"], map(np.asarray, conv_grads(cx, cW, cg)))))}

    def pool(h):
        return jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "SAME")

    def cnn_loss(p, x, y):
        W1, bb1, W2, bb2, W3, bb3, W4, bb4 = p
        h = pool(jax.nn.relu(conv(x, W1) + bb1))
        h = pool(jax.nn.relu(conv(h, W2) + bb2)).reshape(x.shape[0], -1)
        logits = jax.nn.relu(h @ W3 + bb3) @ W4 + bb4
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

    @jax.jit
    def cnn_step(p, m, v, t, x, y):
        return jax_adam(jnp, p, m, v, t, jax.grad(cnn_loss)(p, x, y))
    nx, ny = jnp.asarray(d["cnn_x"]), jnp.asarray(d["cnn_y"])

    def init():
        p = tuple(jnp.asarray(a) for a in d["cnn_params"])
        return [p, tuple(jnp.zeros_like(a) for a in p), tuple(jnp.zeros_like(a) for a in p), 0]
    state = init()

    def call():
        p, m, v, t = state
        state[:] = list(jax.block_until_ready(cnn_step(p, m, v, jnp.float32(t + 1), nx, ny))) + [t + 1]

    def result():
        p, m, v, _ = init()
        return dict(zip(CNN_PARAMS, map(np.asarray, cnn_step(p, m, v, jnp.float32(1), nx, ny)[0])))
    out["cnn_step"] = (call, result)
    return out


def cnn_torch(d, threads):
    """PyTorch computes in NCHW (its layout, where oneDNN's kernels are tuned); the data and the
    filters are transposed once, outside the timed calls, and the results back for the check."""
    import torch
    import torch.nn.functional as F
    nchw = lambda a: torch.from_numpy(np.ascontiguousarray(a.transpose(0, 3, 1, 2)))
    oihw = lambda a: torch.from_numpy(np.ascontiguousarray(a.transpose(3, 2, 0, 1)))
    cx, cg = nchw(d["conv_x"]).requires_grad_(), nchw(d["conv_g"])
    cW = oihw(d["conv_W"]).requires_grad_()

    def conv_grads():
        y = F.conv2d(cx, cW, padding=1)
        return [y] + list(torch.autograd.grad(y, [cx, cW], cg))

    def conv_result():
        y, dx, dW = (t.detach().numpy() for t in conv_grads())
        return {"y": y.transpose(0, 2, 3, 1), "dx": dx.transpose(0, 2, 3, 1), "dW": dW.transpose(2, 3, 1, 0)}
    out = {"conv_layer": (conv_grads, conv_result)}

    def cnn_loss(p, x, y):
        W1, bb1, W2, bb2, W3, bb3, W4, bb4 = p
        h = F.max_pool2d(F.relu(F.conv2d(x, W1, bb1, padding=2)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, W2, bb2, padding=2)), 2)
        h = h.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # TF's NHWC order, for W3
        return F.cross_entropy(F.relu(h @ W3 + bb3) @ W4 + bb4, y)
    nx, ny = nchw(d["cnn_x"]), torch.from_numpy(d["cnn_y"])

    def init():
        p = [(oihw(a) if a.ndim == 4 else torch.from_numpy(a.copy())).requires_grad_() for a in d["cnn_params"]]
        return {"p": p, "m": [torch.zeros_like(a) for a in p], "v": [torch.zeros_like(a) for a in p], "t": 0}

    def step(s):
        torch_adam(torch, s, torch.autograd.grad(cnn_loss(s["p"], nx, ny), s["p"]))
    state = init()

    def result():
        s = init()
        step(s)
        return dict(zip(CNN_PARAMS, [p.detach().numpy().transpose(2, 3, 1, 0) if p.ndim == 4 else p.detach().numpy()
                                     for p in s["p"]]))
    out["cnn_step"] = (lambda: step(state), result)
    return out


# ---------------------------------------------------------------------------------------------

def measure(call, clock, reps, min_time):
    """Median seconds per call over reps repetitions of k calls, k calibrated on wall time; also the
    median wall time per call (with one thread, CPU time also counts a framework's idle-spinning
    pool threads, which wall time does not)."""
    call()  # first call: compilation, allocation
    t0 = time.perf_counter()
    call()
    warm = time.perf_counter() - t0
    while time.perf_counter() - t0 < min(0.2, 20 * warm):  # a short warm-up
        call()
    k = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(k):
            call()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time or k >= 1 << 24:
            break
        k = max(k + 1, int(k * min(10.0, 1.4 * min_time / max(elapsed, 1e-9))))
    times, wall = [], []
    for _ in range(reps):
        c0, w0 = clock(), time.perf_counter()
        for _ in range(k):
            call()
        times.append((clock() - c0) / k)
        wall.append((time.perf_counter() - w0) / k)
    return statistics.median(times), times, k, statistics.median(wall)


def versions(peer):
    v = {"python": sys.version.split()[0], "numpy": np.__version__}
    if peer.startswith("tf_") or peer == "tf1_session":
        import tensorflow as tf
        v["tensorflow"] = tf.__version__
    elif peer in ("jax_jit", "jax_eager"):
        import jax
        import jaxlib
        v["jax"], v["jaxlib"] = jax.__version__, jaxlib.__version__
    elif peer == "torch_eager":
        import torch
        v["torch"] = torch.__version__
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer", choices=PEERS, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--min-time", type=float, default=0.2)
    ap.add_argument("--only", default="", help="comma-separated workloads (default: all)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    d = make_data()
    result = {"peer": args.peer, "threads": args.threads, "clock": "process_cpu" if args.threads == 1 else "wall",
              "results": {}, "errors": {}, "na": []}
    try:
        maker = {"numpy": make_numpy,
                 "tf1_session": lambda d, n: {**make_tf(d, n, False), **cnn_tf(d, n, False)},
                 "tf_jit": lambda d, n: {**make_tf(d, n, True), **cnn_tf(d, n, True)},
                 "jax_jit": lambda d, n: {**make_jax(d, n), **cnn_jax(d, n)},
                 "torch_eager": lambda d, n: {**make_torch(d, n), **cnn_torch(d, n)},
                 "tf_eager": make_tf_eager, "jax_eager": make_jax_eager}[args.peer]
        impl = maker(d, args.threads)
        result["versions"] = versions(args.peer)
    except Exception:
        result["errors"]["setup"] = traceback.format_exc(limit=3)
        impl = {}
    clock = time.process_time if args.threads == 1 else time.perf_counter
    # An --only name selects the workloads it begins, as compare.py's do ("gemm_": every shape).
    selected = [o for o in args.only.split(",") if o]
    only = [w for w in WORKLOADS if any(w.startswith(o) for o in selected)] if selected else WORKLOADS
    for w in only:
        if w not in impl:
            if "setup" not in result["errors"]:
                result["na"].append(w)
            continue
        call, res = impl[w]
        try:
            check(w, res(), reference(d, w))
            med, times, k, wall = measure(call, clock, args.reps, args.min_time)
            result["results"][w] = {"median_s": med, "times_s": times, "calls_per_rep": k, "median_wall_s": wall}
            print("%-12s %2d thr  %-26s %12.3f us" % (args.peer, args.threads, w, med * 1e6), file=sys.stderr, flush=True)
        except Exception as e:
            result["errors"][w] = "%s: %s" % (type(e).__name__, e)
            print("%-12s %2d thr  %-26s FAILED: %s" % (args.peer, args.threads, w, e), file=sys.stderr, flush=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
