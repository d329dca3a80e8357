#pragma once
// The first stage of the two-stage symmetric eigensolver, dense → band, on the spectra's
// own threads: LAPACK's dsytrd_sy2sb step by step (QR of each panel below the band, then
// the two-sided update of the trailing matrix), with the trailing updates cut into chunks
// that any thread may take and the next panel's QR overlapping the current update.

#include "job/job.h"

namespace sculpt {

// `a` is the lower triangle of a symmetric n × n column-major matrix (destroyed). Writes
// the lower band with kd sub-diagonals, in LAPACK's layout (ldBand ≥ kd + 1), of a matrix
// with the same eigenvalues into `band`, which the caller has zeroed. The result does not
// depend on `threads`. Stops early, leaving the band incomplete, when the job is cancelled.
void reduceToBand(double *a, int n, int kd, double *band, int ldBand, int threads, const JobContext &job = {});

} // namespace sculpt
