"""typeflow's ONNX export, run by onnxruntime.

    onnx_check.py GRAPH_INTEROP_EXE

graph_interop onnx builds typeflow graphs (a linear regression, an MLP 784-128-10 with relu and
softmax, a graph of every op the export maps), freezes them, exports each with
tf::onnx::export_graph at opset 17 and at opset 21, and writes the inputs it fed and the outputs
Session::run computed. Each model must pass onnx.checker.check_model (full_check: shape
inference too), and onnxruntime's outputs on the same inputs must match typeflow's: rtol 1e-5
(atol 1e-6 for values near 0), indices exactly, dtypes and shapes exactly.

Exit status: 0 on a match, 1 on a mismatch or an error, 77 (Meson's SKIP) where numpy, onnx or
onnxruntime cannot be imported (the Python is found as tests/parity/run_with_tf.sh finds it).
"""

import json
import os
import subprocess
import sys
import tempfile

SKIP = 77
RTOL, ATOL = 1e-5, 1e-6


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    try:
        import numpy as np
        import onnx
        import onnxruntime as ort
    except Exception as e:  # ImportError, or a broken installation
        print("SKIP: %s cannot import numpy, onnx and onnxruntime: %s: %s" % (sys.executable, type(e).__name__, e))
        return SKIP
    exe = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([exe, "onnx", tmp], capture_output=True, text=True)
        if proc.returncode != 0:
            print("%s onnx exited with %d:\n%s%s" % (exe, proc.returncode, proc.stdout, proc.stderr))
            return 1
        for model in ("linear_regression", "mlp", "all_ops"):
            data = json.load(open(os.path.join(tmp, model + ".json")))
            array = lambda v: np.array(v["values"], dtype=v["dtype"]).reshape(v["shape"])
            feeds = {k: array(v) for k, v in data["inputs"].items()}
            expected = {k: array(v) for k, v in data["outputs"].items()}
            for suffix, opset in ((".onnx", 17), (".opset21.onnx", 21)):
                path = os.path.join(tmp, model + suffix)
                m = onnx.load(path)
                onnx.checker.check_model(m, full_check=True)
                ops = sorted({n.op_type for n in m.graph.node})
                assert m.opset_import[0].version == opset, m.opset_import
                sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
                names = [o.name for o in sess.get_outputs()]
                got = dict(zip(names, sess.run(names, feeds)))
                for name, want in expected.items():
                    have = got[name]
                    ok = have.dtype == want.dtype and have.shape == want.shape
                    if ok and want.dtype.kind == "f":
                        err = np.max(np.abs(have - want) / (np.abs(want) * RTOL + ATOL), initial=0.0)
                        ok = bool(err <= 1.0)
                        detail = "max |diff| %.3g" % np.max(np.abs(have - want), initial=0.0)
                    else:
                        ok = ok and np.array_equal(have, want)
                        detail = "exact"
                    print("%-17s opset %d %-6s %-8s %-10s %s: %s" % (model, opset, name, str(want.dtype), str(want.shape),
                                                                detail, "ok" if ok else "MISMATCH"))
                    if not ok:
                        print("  typeflow:", want.ravel()[:8], "\n  onnxruntime:", have.dtype, have.shape, have.ravel()[:8])
                    failures += not ok
                print("%-17s opset %d ops: %s" % (model, opset, " ".join(ops)))
    print("onnxruntime %s, onnx %s: %d mismatches" % (ort.__version__, onnx.__version__, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
