import os

# Keep BLAS single-threaded in tests: the CI machine has 2 cores and runs pytest-xdist workers.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
