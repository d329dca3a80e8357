#pragma once
// The reference the eigensolver stages are checked against: LAPACK's one-stage dsyev on
// the dense symmetric matrix (lower triangle, column-major), ascending.

#include <vector>

extern "C" {
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work,
            const int *lwork, int *info);
}

inline std::vector<double> denseEigenvalues(std::vector<double> a, int n)
{
    std::vector<double> w(static_cast<size_t>(n));
    int info = 0, lwork = -1;
    double query = 0;
    dsyev_("N", "L", &n, a.data(), &n, w.data(), &query, &lwork, &info);
    std::vector<double> work(static_cast<size_t>(query));
    lwork = int(query);
    dsyev_("N", "L", &n, a.data(), &n, w.data(), work.data(), &lwork, &info);
    return w;
}
