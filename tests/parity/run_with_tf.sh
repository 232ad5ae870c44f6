#!/bin/sh
# Runs tf_parity.py with a Python that has TensorFlow:
#
#   run_with_tf.sh tf_parity.py PARITY_EXE [options of tf_parity.py]
#
# The interpreter is the first of:
#   1. $TYPEFLOW_PYTHON, when set and not empty (.ci/run points it at the venv it creates);
#   2. /opt/typeflow-venv/bin/python, when it exists (the development machines' venv);
#   3. python3 on the PATH.
# An interpreter given by $TYPEFLOW_PYTHON is used as it is, never replaced by a fallback.
# Exit status: tf_parity.py's (0 match, 1 mismatch), or 77 (Meson's SKIP) when the chosen
# interpreter does not run or cannot import TensorFlow (tf_parity.py checks the import).

if [ -n "${TYPEFLOW_PYTHON:-}" ]; then
  python=$TYPEFLOW_PYTHON
  origin='the variable TYPEFLOW_PYTHON'
elif [ -x /opt/typeflow-venv/bin/python ]; then
  python=/opt/typeflow-venv/bin/python
  origin='the default venv'
else
  python=python3
  origin='the PATH'
fi

if ! "$python" -c 'import sys' >/dev/null 2>&1; then
  echo "SKIP: '$python' (from $origin) is not a working Python interpreter, so TensorFlow cannot be imported"
  exit 77
fi
exec "$python" "$@"
