#pragma once
// The second stage of LAPACK's two-stage symmetric eigensolver, band → tridiagonal, run
// on several threads. LAPACK's own driver (dsytrd_sb2st) pipelines its bulge-chasing
// sweeps only when built with OpenMP, and Debian's OpenBLAS is built with pthreads, so
// there it is sequential and was the largest single-threaded part of an exact spectrum.

#include <vector>

namespace sculpt {

struct Tridiagonal {
    std::vector<double> diagonal;    // n
    std::vector<double> offDiagonal; // n − 1
};

// `band` holds the lower band of a symmetric n × n matrix with kd sub-diagonals in
// LAPACK's column-major layout (ldBand ≥ kd + 1 rows: the diagonal, then each
// sub-diagonal). Returns a tridiagonal with the same eigenvalues, bitwise identical to
// dsytrd_sb2st's for any thread count.
Tridiagonal tridiagonalFromBand(const double *band, int ldBand, int n, int kd, int threads);

} // namespace sculpt
