#!/usr/bin/env python3
"""What a rank that dies does to the others: `mpirun -np 2 test_horovod --kill-rank-1` trains
with hvd::DistributedOptimizer and rank 1 kills itself (SIGKILL) at step 3, while rank 0 waits
in the step's MPI_Allreduce. Open MPI's mpirun sees a rank end without MPI_Finalize, aborts the
job and kills the survivors: mpirun must exit non-zero within BOUND seconds, and rank 0 must
never report that it finished training."""
import subprocess
import sys
import time

BOUND = 30
mpirun, program = sys.argv[1], sys.argv[2]
start = time.monotonic()
try:
    run = subprocess.run([mpirun, "--oversubscribe", "-np", "2", program, "--kill-rank-1"],
                         capture_output=True, text=True, timeout=BOUND * 3)
except subprocess.TimeoutExpired:
    sys.exit(f"FAIL: mpirun still ran after {BOUND * 3} s: the surviving rank hangs")
elapsed = time.monotonic() - start
output = run.stdout + run.stderr
print(output)
print(f"mpirun exited with {run.returncode} after {elapsed:.1f} s")
if run.returncode == 0:
    sys.exit("FAIL: mpirun exited 0 although rank 1 died")
if "rank 0 finished" in output:
    sys.exit("FAIL: rank 0 finished training without rank 1")
if elapsed > BOUND:
    sys.exit(f"FAIL: the job took {elapsed:.1f} s to fail (bound: {BOUND} s)")
print("OK: the job failed within the bound")
