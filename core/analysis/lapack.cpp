#include "analysis/lapack.h"

#include "analysis/band_form.h"
#include "analysis/band_reduction.h"

#include <algorithm>
#include <cmath>
#include <dlfcn.h>
#include <mutex>
#include <stdexcept>
#include <string>

namespace sculpt {

namespace {

// Sub-diagonals of the intermediate band. Wider makes the dense → band stage more
// BLAS-3 (faster) and the bulge chasing costlier; 64 measured best at 2048² and 4096².
// LAPACK's default here, 32, made dense → band take 28 % more CPU time at 4096² and the
// bulge chasing no less.
constexpr int kBandWidth = 64;

} // namespace

std::vector<double> singularValuesOfGram(double *gram, int n, const JobContext &job)
{
    if (n <= 0)
        return {};
    const blas::SequentialScope sequential;
    const int threads = sequential.threadsBefore();
    const int kd = std::min(kBandWidth, n - 1), ldBand = kd + 1;
    std::vector<double> band(size_t(ldBand) * size_t(n), 0.0);
    reduceToBand(gram, n, kd, band.data(), ldBand, threads, job);
    job.checkCancelled();
    Tridiagonal t = tridiagonalFromBand(band.data(), ldBand, n, kd, threads);
    job.checkCancelled();
    int info = 0;
    dsterf_(&n, t.diagonal.data(), t.offDiagonal.data(), &info);
    if (info != 0)
        throw std::runtime_error("the eigensolver did not converge (dsterf info " + std::to_string(info) + ")");
    // Eigenvalues come ascending; rounding can leave the smallest slightly negative.
    std::vector<double> &values = t.diagonal;
    std::reverse(values.begin(), values.end());
    for (double &v : values)
        v = std::sqrt(std::max(v, 0.0));
    return std::move(values);
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

namespace {
std::mutex sequentialLock;
int sequentialDepth = 0, threadsOutside = 1;
} // namespace

SequentialScope::SequentialScope()
{
    const std::lock_guard lock(sequentialLock);
    if (sequentialDepth++ == 0) {
        threadsOutside = threads();
        setThreads(1);
    }
    threadsBefore_ = threadsOutside;
}

SequentialScope::~SequentialScope()
{
    const std::lock_guard lock(sequentialLock);
    if (--sequentialDepth == 0)
        setThreads(threadsOutside);
}

} // namespace sculpt::blas
