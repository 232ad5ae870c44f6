#!/usr/bin/env python3
"""typeflow-inspect-checkpoint on the TF-written fixtures: its listing, its values, and exit
code 1 with a message for a missing, corrupted or unknown checkpoint or tensor."""
import pathlib
import shutil
import subprocess
import sys
import tempfile

tool, fixtures = sys.argv[1], pathlib.Path(sys.argv[2])
failures = 0


def run(*args):
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)


def expect(args, rc, stdout=None, stderr_has=None):
    global failures
    r = run(*args)
    ok = r.returncode == rc and (stdout is None or r.stdout == stdout) and \
        (stderr_has is None or stderr_has in r.stderr)
    if not ok:
        failures += 1
        print(f"FAIL {args}: rc {r.returncode} (expected {rc})\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}")


counter = str(fixtures / "counter_tf1.5" / "variables")
half = str(fixtures / "half_plus_two_tf1.14" / "variables")
expect([f"--file_name={counter}"], 0, "counter (DT_FLOAT) []\n")
expect([f"--file_name={half}"], 0, "".join(f"{n} (DT_FLOAT) []\n" for n in ["a", "a2", "b", "c", "c2"]))
expect([f"--file_name={counter}", "--tensor_name=counter"], 0, "tensor_name:  counter\n0.\n")
expect([f"--file_name={half}", "--all_tensors"], 0,
       "".join(f"tensor_name:  {n}\n{v}\n" for n, v in
               [("a", "0.5"), ("a2", "0.5"), ("b", "2."), ("c", "3."), ("c2", "3.")]))
expect([f"--file_name={half}", "--all_tensor_names"], 0,
       "".join(f"tensor_name:  {n}\n" for n in ["a", "a2", "b", "c", "c2"]))
expect([f"--file_name={half}", "--tensor_name=nope"], 1, stderr_has="nope")
expect([f"--file_name={fixtures}/no_such_checkpoint"], 1, stderr_has="no_such_checkpoint.index")
expect([], 2)

with tempfile.TemporaryDirectory() as d:
    for suffix in [".index", ".data-00000-of-00001"]:
        shutil.copy(half + suffix, d + "/v" + suffix)
    data = bytearray(open(d + "/v.index", "rb").read())
    data[20] ^= 0x10  # inside the snappy data block: its checksum no longer matches
    open(d + "/v.index", "wb").write(data)
    expect([f"--file_name={d}/v"], 1, stderr_has="checksum")
    shutil.copy(half + ".index", d + "/v.index")
    data = bytearray(open(d + "/v.data-00000-of-00001", "rb").read())
    data[9] ^= 1  # inside b
    open(d + "/v.data-00000-of-00001", "wb").write(data)
    expect([f"--file_name={d}/v", "--tensor_name=b"], 1, stderr_has="checksum")
    expect([f"--file_name={d}/v", "--tensor_name=a"], 0, "tensor_name:  a\n0.5\n")

print(f"{failures} failures")
sys.exit(1 if failures else 0)
