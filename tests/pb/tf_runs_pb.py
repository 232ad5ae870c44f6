"""TensorFlow runs typeflow's frozen graphs (issue 15, PB mode).

    tf_runs_pb.py PB_FREEZE_EXE PROGRAM

PB_FREEZE_EXE (pb_freeze.cpp) trains PROGRAM (linear_regression or mlp) with typeflow, freezes
it with tf::graph_util::convert_variables_to_constants and writes the .pb, as the TF1 course's
PB mode does in Python. This script loads the file as TensorFlow users do
(tf.compat.v1.GraphDef + tf.import_graph_def), checks that it is frozen (no variable, assign or
training node; each variable a Const of its name), runs op_to_store:0 on typeflow's input and
compares with typeflow's output (rtol 1e-6, atol 1e-6: both sides compute in float32, summing
in their own orders).

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

STATEFUL = {"VariableV2", "Variable", "VarHandleOp", "Assign", "AssignVariableOp", "NoOp", "ApplyGradientDescent",
            "ApplyAdam", "SaveV2", "RestoreV2"}


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    exe, program = sys.argv[1], sys.argv[2]
    imported = import_tensorflow()
    if imported is None:
        return SKIP
    tf, np = imported
    with tempfile.TemporaryDirectory(prefix="typeflow-pb-") as tmp:
        proc = subprocess.run([exe, program, tmp], capture_output=True, text=True)
        if proc.returncode != 0:
            print("FAIL: %s exited with %d:\n%s%s" % (exe, proc.returncode, proc.stdout, proc.stderr))
            return 1
        record = json.loads(proc.stdout)
        graph_def = tf.compat.v1.GraphDef()
        with open(record["pb"], "rb") as f:
            graph_def.ParseFromString(f.read())

    ops = {n.name: n.op for n in graph_def.node}
    print("%s: %d nodes: %s" % (program, len(ops), ", ".join("%s (%s)" % kv for kv in ops.items())))
    problems = ["%s is a %s node: the graph is not frozen" % (n, op) for n, op in ops.items() if op in STATEFUL]
    if ops.get("op_to_store") != "Identity":
        problems.append("no Identity op_to_store")

    x = np.array(record["x"]["values"], dtype=np.float32).reshape(record["x"]["shape"])
    ours = np.array(record["y"]["values"], dtype=np.float32).reshape(record["y"]["shape"])
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session() as sess:
            theirs = sess.run("op_to_store:0", {"x:0": x})
    if theirs.shape != ours.shape:
        problems.append("TensorFlow's op_to_store has shape %s, typeflow's %s" % (theirs.shape, ours.shape))
    else:
        diff = np.abs(theirs - ours)
        print("op_to_store %s: max |TF - typeflow| %.3g (max |y| %.3g)" % (ours.shape, diff.max(), np.abs(ours).max()))
        if not np.allclose(theirs, ours, rtol=1e-6, atol=1e-6):
            problems.append("op_to_store differs: max |difference| %g" % diff.max())
    for p in problems:
        print("FAIL: " + p)
    if not problems:
        print("ok: TensorFlow %s runs typeflow's frozen %s" % (tf.__version__, program))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
