"""Import first in a benchmark: one thread for every numeric library, so "x real time" is
per core. The variables must be set before numpy, numba or onnxruntime are imported."""

import os

for _var in (
    "NUMBA_NUM_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_var] = "1"
