// Exact singular values of one float32 matrix: Sculpt's exactSingularValues against
// numpy.linalg.svd(a, compute_uv=False) on the same matrix, both on OpenBLAS with 2
// threads, measured in this run. Accuracy is judged against numpy's float64 SVD of the
// same (float32) data. Targets: ≥ 3× numpy at a relative error ≤ 1e-4; the randomized
// top-256 preview of a 4096² matrix in < 0.3 s.
//
//   bench_spectra            2048², 4096², 11008×4096 (about eight minutes, mostly numpy)
//   bench_spectra --quick    2048² only

#include "analysis/exact_spectrum.h"
#include "analysis/lapack.h"
#include "analysis/randomized_svd.h"
#include "bench_support.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr int kSculptThreads = 2;
// Rounds of one numpy run then one Sculpt run: a pair shares the machine's state of the
// moment, so the median of the pairs' ratios moves less with the load than either time.
constexpr int kExactRounds = 3;
constexpr int kRandomizedRepeats = 5;
constexpr int kTopK = 256;

struct Case {
    int64_t rows, cols;
    bool lowRank; // else Gaussian
    uint64_t seed;
};

std::string shapeLabel(const Case &c) { return std::to_string(c.rows) + "x" + std::to_string(c.cols); }
const char *kindLabel(const Case &c) { return c.lowRank ? "low-rank+noise" : "gaussian"; }

std::vector<float> gaussian(int64_t count, float scale, std::mt19937_64 &rng)
{
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> out(static_cast<size_t>(count));
    for (float &v : out)
        v = normal(rng);
    return out;
}

// A rows × r column-major matrix with orthonormal columns: QR of a Gaussian one.
std::vector<float> orthonormalColumns(int rows, int r, std::mt19937_64 &rng)
{
    std::vector<float> q = gaussian(int64_t(rows) * r, 1.0f, rng), tau(static_cast<size_t>(r));
    int info = 0, lwork = -1;
    float query = 0;
    sgeqrf_(&rows, &r, q.data(), &rows, tau.data(), &query, &lwork, &info);
    std::vector<float> work(static_cast<size_t>(query) + 1);
    lwork = static_cast<int>(work.size());
    sgeqrf_(&rows, &r, q.data(), &rows, tau.data(), work.data(), &lwork, &info);
    lwork = -1;
    sorgqr_(&rows, &r, &r, q.data(), &rows, tau.data(), &query, &lwork, &info);
    work.resize(static_cast<size_t>(query) + 1);
    lwork = static_cast<int>(work.size());
    sorgqr_(&rows, &r, &r, q.data(), &rows, tau.data(), work.data(), &lwork, &info);
    if (info != 0)
        throw std::runtime_error("QR of the random factor failed");
    return q;
}

// U·diag(σ)·Vᵀ with rank min(m, n)/8 and σ spread evenly in log over 4 decades (1 down to
// 1e-4), plus Gaussian noise of spectral norm ≈ 1e-4·σ_max: the ill-conditioned case where
// squaring (a Gram matrix) could lose the small values that matter.
std::vector<float> lowRankPlusNoise(int64_t rows, int64_t cols, std::mt19937_64 &rng)
{
    const int m = int(rows), n = int(cols), r = int(std::min(rows, cols) / 8);
    const std::vector<float> u = orthonormalColumns(m, r, rng);
    std::vector<float> v = orthonormalColumns(n, r, rng);
    for (int j = 0; j < r; ++j) {
        const float sigma = std::pow(10.0f, -4.0f * float(j) / float(r - 1));
        std::for_each(v.begin() + int64_t(j) * n, v.begin() + int64_t(j + 1) * n, [&](float &x) { x *= sigma; });
    }
    // Row-major rows × cols is column-major cols × rows, i.e. (V·diag(σ))·Uᵀ.
    std::vector<float> a = gaussian(rows * cols, 1e-4f / (std::sqrt(float(m)) + std::sqrt(float(n))), rng);
    const float one = 1;
    sgemm_("N", "T", &n, &m, &r, &one, v.data(), &n, u.data(), &m, &one, a.data(), &n);
    return a;
}

std::vector<float> makeMatrix(const Case &c)
{
    std::mt19937_64 rng(c.seed);
    return c.lowRank ? lowRankPlusNoise(c.rows, c.cols, rng) : gaussian(c.rows * c.cols, 1.0f, rng);
}

template <typename F> double timed(F &&f)
{
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct ExactRounds {
    double numpySeconds, sculptSeconds, speedup; // medians over the rounds
    int numpyThreads;
    std::vector<double> numpyValues, sculptValues;
};

ExactRounds exactRounds(bench::ScratchDir &scratch, const std::string &npy, const std::vector<float> &a, const Case &c)
{
    ExactRounds out{};
    std::vector<double> numpyTimes, sculptTimes, ratios;
    for (int i = 0; i < kExactRounds; ++i) {
        const bench::NumpySvd numpy = bench::numpySingularValues(scratch, npy, bench::Precision::Float32);
        const double seconds = timed([&] { out.sculptValues = sculpt::exactSingularValues(a.data(), c.rows, c.cols); });
        numpyTimes.push_back(numpy.seconds);
        sculptTimes.push_back(seconds);
        ratios.push_back(numpy.seconds / seconds);
        out.numpyThreads = numpy.blasThreads;
        out.numpyValues = numpy.values;
    }
    out.numpySeconds = median(numpyTimes);
    out.sculptSeconds = median(sculptTimes);
    out.speedup = median(ratios);
    return out;
}

struct RandomizedResult {
    double seconds;
    double bound;
    double error; // of the k values against the reference
};

RandomizedResult sculptRandomized(const std::vector<float> &a, const Case &c, const std::vector<double> &reference)
{
    sculpt::TopSpectrum top;
    std::vector<double> times;
    for (int i = 0; i < kRandomizedRepeats; ++i)
        times.push_back(timed([&] { top = sculpt::randomizedSingularValues(a.data(), c.rows, c.cols, kTopK); }));
    return {median(times), top.relativeErrorBound, bench::maxRelativeError(top.values, reference)};
}

struct RandomizedRow {
    Case c;
    RandomizedResult result;
    double numpySeconds;
};

void printExactHeader()
{
    std::printf("exact spectra: numpy.linalg.svd(a, compute_uv=False) on float32 vs sculpt exactSingularValues\n");
    std::printf("error: max |s - ref| / ref over ref >= 1e-3 * s_max; ref = numpy SVD of the same data in float64\n");
    std::printf("%d rounds of one numpy run then one sculpt run: median times, speed-up = median of the rounds' "
                "ratios\n\n",
                kExactRounds);
    std::printf("%-11s %-15s %10s %10s %9s %11s %11s  %s\n", "matrix", "kind", "numpy f32", "sculpt", "speed-up",
                "sculpt err", "numpy err", "target >=3x, err <=1e-4");
}

void printExactRow(const Case &c, const ExactRounds &r, double sculptError, double numpyError)
{
    const bool met = r.speedup >= 3.0 && sculptError <= 1e-4;
    std::printf("%-11s %-15s %8.2f s %8.3f s %8.2fx %11.2e %11.2e  %s\n", shapeLabel(c).c_str(), kindLabel(c),
                r.numpySeconds, r.sculptSeconds, r.speedup, sculptError, numpyError, met ? "met" : "MISSED");
    std::fflush(stdout);
}

const char *targetVerdict(const RandomizedRow &r)
{
    if (r.c.rows != 4096 || r.c.cols != 4096)
        return "(set for 4096x4096)";
    return r.result.seconds < 0.3 ? "met" : "MISSED";
}

void printRandomized(const std::vector<RandomizedRow> &rows)
{
    if (rows.empty())
        return;
    std::printf("\nrandomized top-%d (default RandomizedOptions), sculpt median of %d runs; "
                "baseline: numpy's full float32 SVD of the same matrix\n\n",
                kTopK, kRandomizedRepeats);
    std::printf("%-11s %-15s %9s %12s %13s %10s %9s  %s\n", "matrix", "kind", "sculpt", "error bound", "top-k error",
                "numpy f32", "speed-up", "target < 0.3 s");
    for (const auto &r : rows)
        std::printf("%-11s %-15s %7.3f s %12.2e %13.2e %8.2f s %8.1fx  %s\n", shapeLabel(r.c).c_str(), kindLabel(r.c),
                    r.result.seconds, r.result.bound, r.result.error, r.numpySeconds,
                    r.numpySeconds / r.result.seconds, targetVerdict(r));
}

std::vector<Case> cases(bool quick)
{
    std::vector<Case> out;
    const std::vector<std::pair<int64_t, int64_t>> shapes =
        quick ? std::vector<std::pair<int64_t, int64_t>>{{2048, 2048}}
              : std::vector<std::pair<int64_t, int64_t>>{{2048, 2048}, {4096, 4096}, {11008, 4096}};
    uint64_t seed = 20240601;
    for (const auto &[rows, cols] : shapes)
        for (bool lowRank : {false, true})
            out.push_back({rows, cols, lowRank, seed++});
    return out;
}

int run(bool quick)
{
    const std::string startLoad = bench::loadAverage();
    sculpt::blas::setThreads(kSculptThreads);
    bench::ScratchDir scratch;
    const std::string npy = scratch.file("matrix.npy");
    std::vector<RandomizedRow> randomized;
    int numpyThreads = 0;
    // The target is for 4096²; --quick still runs the preview, on its 2048² matrices.
    const int64_t randomizedSide = quick ? 2048 : 4096;
    printExactHeader();
    for (const Case &c : cases(quick)) {
        const std::vector<float> a = makeMatrix(c);
        bench::writeNpy(npy, a.data(), c.rows, c.cols);
        const bench::NumpySvd reference = bench::numpySingularValues(scratch, npy, bench::Precision::Float64);
        const ExactRounds exact = exactRounds(scratch, npy, a, c);
        numpyThreads = exact.numpyThreads;
        printExactRow(c, exact, bench::maxRelativeError(exact.sculptValues, reference.values),
                      bench::maxRelativeError(exact.numpyValues, reference.values));
        if (c.rows == c.cols && c.rows == randomizedSide)
            randomized.push_back({c, sculptRandomized(a, c, reference.values), exact.numpySeconds});
    }
    printRandomized(randomized);
    std::printf("\nBLAS threads: numpy %d (OpenBLAS default), sculpt %d; %s at the start, %s at the end\n",
                numpyThreads, sculpt::blas::threads(), startLoad.c_str(), bench::loadAverage().c_str());
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quick") == 0) {
            quick = true;
        } else {
            std::fprintf(stderr, "usage: bench_spectra [--quick]\n");
            return 2;
        }
    }
    try {
        return run(quick);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_spectra: %s\n", e.what());
        return 1;
    }
}
