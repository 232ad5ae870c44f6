"""TensorFlow for the parity and interop scripts (op_parity.py, tf_parity.py, ../saver/tf_interop.py).

import_tensorflow() returns (tf, np), or None after printing a SKIP line when this interpreter
cannot import numpy and TensorFlow; the scripts then exit with SKIP (77, Meson's skipped).
"""

import os
import sys

SKIP = 77


def import_tensorflow():
    # Before the import. TF_CPP_MIN_LOG_LEVEL=2: no INFO/WARNING lines. TF_ENABLE_ONEDNN_OPTS=0:
    # TF's own Eigen kernels rather than oneDNN's, which are picked by the CPU's instruction set
    # at run time; this also drops the oneDNN notice, which ignores TF_CPP_MIN_LOG_LEVEL. (Both
    # kernel sets give the same results here to 1e-7; set the variable to 1 to compare with oneDNN.)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    try:
        import numpy as np
        import tensorflow as tf
    except Exception as e:  # ImportError, or a broken installation
        print("SKIP: %s cannot import numpy and tensorflow: %s: %s" % (sys.executable, type(e).__name__, e))
        return None
    return tf, np
