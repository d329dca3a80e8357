"""The baseline of Sculpt's spectra benchmarks: numpy's singular values of one matrix.

Run with Debian's /usr/bin/python3 (its python3-numpy uses the system OpenBLAS):

    numpy_svd.py {f32,f64} MATRIX.npy [VALUES.f64]

f32 decomposes the matrix as stored (numpy calls sgesdd); f64 converts it first (dgesdd),
which serves as the accuracy reference. Prints "SECONDS BLAS_THREADS": the time is
measured around numpy.linalg.svd alone, so neither start-up nor loading counts. The
singular values, descending, go to VALUES as raw little-endian float64 when it is given.
"""

import ctypes
import sys
import time

import numpy as np


def blas_threads():
    # numpy's BLAS is Debian's libblas.so.3; under OpenBLAS it reports its thread count.
    try:
        return ctypes.CDLL("libblas.so.3").openblas_get_num_threads()
    except (OSError, AttributeError):
        return 0


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("f32", "f64"):
        sys.exit("usage: numpy_svd.py {f32,f64} MATRIX.npy [VALUES.f64]")
    matrix = np.load(sys.argv[2])
    if sys.argv[1] == "f64":
        matrix = matrix.astype(np.float64)
    start = time.perf_counter()
    values = np.linalg.svd(matrix, compute_uv=False)
    seconds = time.perf_counter() - start
    if len(sys.argv) == 4:
        values.astype("<f8").tofile(sys.argv[3])
    print(f"{seconds:.6f} {blas_threads()}")


if __name__ == "__main__":
    main()
