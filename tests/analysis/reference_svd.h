#pragma once
// The reference exact spectra are checked against: LAPACK's dgesdd in float64 on the same
// float32 entries (what numpy.linalg.svd does on a float64 copy), descending.

#include "analysis/lapack.h"

#include <algorithm>
#include <vector>

// `a` row-major rows × cols in float64.
inline std::vector<double> referenceSingularValues(std::vector<double> a, int rows, int cols)
{
    // Row-major rows×cols is column-major cols×rows, with the same singular values.
    std::vector<double> s(size_t(std::min(rows, cols)));
    std::vector<int> iwork(size_t(8 * std::min(rows, cols)));
    int info = 0, lwork = -1, ld = 1;
    double query = 0;
    dgesdd_("N", &cols, &rows, a.data(), &cols, s.data(), nullptr, &ld, nullptr, &ld, &query, &lwork, iwork.data(), &info);
    lwork = int(query);
    std::vector<double> work(static_cast<size_t>(lwork));
    dgesdd_("N", &cols, &rows, a.data(), &cols, s.data(), nullptr, &ld, nullptr, &ld, work.data(), &lwork, iwork.data(),
            &info);
    return s;
}

inline std::vector<double> referenceSingularValues(const std::vector<float> &w, int rows, int cols)
{
    return referenceSingularValues(std::vector<double>(w.begin(), w.end()), rows, cols);
}
