"""Graphviz's `dot` renders the DOT file that tf::io::write_dot writes.

    dot_check.py TEST_RUNTIME_EXE

Runs the doctest case "io.write_dot.render" of TEST_RUNTIME_EXE, renders its file to SVG with
`dot` and checks that every node's name and op is drawn. Exit 0 on success, 1 on a failure, 77
(Meson's SKIP) when `dot` (Debian's graphviz) is not installed.
"""

import os
import shutil
import subprocess
import sys
import tempfile

dot = shutil.which("dot")
if not dot:
    print("SKIP: Graphviz's dot is not installed (apt-get install graphviz)")
    sys.exit(77)

with tempfile.TemporaryDirectory(prefix="typeflow-dot-") as tmp:
    path = os.path.join(tmp, "graph.dot")
    env = dict(os.environ, TYPEFLOW_DOT_FILE=path)
    run = subprocess.run([sys.argv[1], "-tc=io.write_dot.render", "--no-skip"], env=env, capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stdout + run.stderr)
        sys.exit(1)
    svg = subprocess.run([dot, "-Tsvg", path], capture_output=True, text=True)
    if svg.returncode != 0 or svg.stderr:
        print(f"dot failed ({svg.returncode}): {svg.stderr}")
        sys.exit(1)
    # dot writes each text line of a label as a <text> element; the names and ops are among them.
    texts = svg.stdout
    missing = [w for w in ["x</text>", "Placeholder</text>", "VariableV2</text>", "MatMul</text>", "w/read</text>",
                           "float32 [?,3]</text>", "class=\"cluster\""] if w not in texts]
    print(f"rendered {len(texts)} bytes of SVG; missing: {missing}" if missing else f"rendered {len(texts)} bytes of SVG")
    sys.exit(1 if missing else 0)
