#include "analysis/lapack.h"

#include <algorithm>
#include <cmath>
#include <dlfcn.h>
#include <stdexcept>
#include <string>

namespace sculpt {

std::vector<double> singularValuesOfGram(std::vector<double> &gram, int n)
{
    std::vector<double> values(static_cast<size_t>(n));
    int info = 0, lwork = -1, liwork = -1, iworkQuery = 0;
    double workQuery = 0;
    // The two-stage solver: values only, and measured fastest here (README, "Spectra").
    dsyevd_2stage_("N", "L", &n, gram.data(), &n, values.data(), &workQuery, &lwork, &iworkQuery, &liwork, &info);
    lwork = std::max(1, static_cast<int>(workQuery));
    liwork = std::max(1, iworkQuery);
    std::vector<double> work(static_cast<size_t>(lwork));
    std::vector<int> iwork(static_cast<size_t>(liwork));
    dsyevd_2stage_("N", "L", &n, gram.data(), &n, values.data(), work.data(), &lwork, iwork.data(), &liwork, &info);
    if (info != 0)
        throw std::runtime_error("the eigensolver did not converge (dsyevd_2stage info " + std::to_string(info) + ")");
    // Eigenvalues come ascending; rounding can leave the smallest slightly negative.
    std::reverse(values.begin(), values.end());
    for (double &v : values)
        v = std::sqrt(std::max(v, 0.0));
    return values;
}

} // namespace sculpt

namespace sculpt::blas {
namespace {

// Looked up at run time: the reference BLAS (or MKL behind the same soname) lacks them.
template <typename F> F lookup(const char *name) { return reinterpret_cast<F>(::dlsym(RTLD_DEFAULT, name)); }

} // namespace

void setThreads(int threads)
{
    static const auto set = lookup<void (*)(int)>("openblas_set_num_threads");
    if (set)
        set(threads);
}

int threads()
{
    static const auto get = lookup<int (*)()>("openblas_get_num_threads");
    return get ? get() : 1;
}

} // namespace sculpt::blas
