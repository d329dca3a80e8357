#pragma once
// The few BLAS/LAPACK routines the spectra need, called directly: OpenBLAS through
// Debian's libblas.so.3/liblapack.so.3 (the same library LibTorch uses). Column-major,
// Fortran calling convention.

#include <cstdint>

extern "C" {
void dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha, const double *a,
            const int *lda, const double *beta, double *c, const int *ldc);
void dgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *b, const int *ldb, const double *beta, double *c,
            const int *ldc);
void dsymm_(const char *side, const char *uplo, const int *m, const int *n, const double *alpha, const double *a,
            const int *lda, const double *b, const int *ldb, const double *beta, double *c, const int *ldc);
void dsyr2k_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha, const double *a,
             const int *lda, const double *b, const int *ldb, const double *beta, double *c, const int *ldc);
void dtrmm_(const char *side, const char *uplo, const char *transa, const char *diag, const int *m, const int *n,
            const double *alpha, const double *a, const int *lda, double *b, const int *ldb);
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work, const int *lwork,
             int *info);
void dlarft_(const char *direct, const char *storev, const int *n, const int *k, const double *v, const int *ldv,
             const double *tau, double *t, const int *ldt);
void dsb2st_kernels_(const char *uplo, const int *wantz, const int *ttype, const int *st, const int *ed,
                     const int *sweep, const int *n, const int *nb, const int *ib, double *a, const int *lda,
                     double *v, double *tau, const int *ldvt, double *work);
void dsterf_(const int *n, double *d, double *e, int *info);
void sgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k, const float *alpha,
            const float *a, const int *lda, const float *b, const int *ldb, const float *beta, float *c,
            const int *ldc);
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work, const int *lwork,
             int *info);
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda, const float *tau, float *work,
             const int *lwork, int *info);
void sgetrf_(const int *m, const int *n, float *a, const int *lda, int *ipiv, int *info);
void slaswp_(const int *n, float *a, const int *lda, const int *k1, const int *k2, const int *ipiv, const int *incx);
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s, double *u,
             const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork, int *iwork, int *info);
}

#include "job/job.h"

#include <vector>

namespace sculpt {

// √ of the eigenvalues of a symmetric n × n Gram matrix (column-major, only the lower
// triangle read; destroyed), descending: the singular values of the matrix it came from. Two stages
// (dense → band, band → tridiagonal) on as many threads as OpenBLAS had, with OpenBLAS on
// one meanwhile, then root-free QR on the tridiagonal. Checks the cancel flag between
// stages and between panels of the first.
std::vector<double> singularValuesOfGram(double *gram, int n, const JobContext &job = {});

} // namespace sculpt

namespace sculpt::blas {

// OpenBLAS's own thread count. No-ops (returning 1) under a BLAS without the call.
void setThreads(int threads);
int threads();

// OpenBLAS on one thread while it lives, for code that runs its own threads and calls BLAS
// on small blocks. The count is process-wide, so nested and concurrent scopes share one
// saved value: the last to end restores it.
class SequentialScope {
public:
    SequentialScope();
    ~SequentialScope();
    SequentialScope(const SequentialScope &) = delete;
    SequentialScope &operator=(const SequentialScope &) = delete;
    // OpenBLAS's thread count before the first live scope began.
    int threadsBefore() const { return threadsBefore_; }

private:
    int threadsBefore_ = 1;
};

} // namespace sculpt::blas
