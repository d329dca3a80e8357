#include "analysis/band_reduction.h"

#include "analysis/lapack.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <system_error>
#include <thread>

namespace sculpt {
namespace {

// LAPACK's dependency distance: task j of sweep s may run once sweep s − 1 has finished
// its task j + kShift − 1 (the `DEPEND(in:WORK(MYID+SHIFT-1))` of dsytrd_sb2st): from
// then on the two sweeps touch disjoint parts of the band.
constexpr int kShift = 3;
constexpr int kSweepDone = INT_MAX;
// A task takes microseconds, so a waiting thread spins briefly before it sleeps.
constexpr int kSpinsBeforeSleeping = 2000;

void cpuRelax()
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

using Clock = std::chrono::steady_clock;

// Returns once `progress` reaches `needed`, and how long it slept (spinning is not counted:
// it is the normal, brief wait of a pipeline running at full speed).
Clock::duration waitFor(const std::atomic<int> &progress, int needed)
{
    for (int spins = 0; spins < kSpinsBeforeSleeping; ++spins) {
        if (progress.load(std::memory_order_acquire) >= needed)
            return {};
        cpuRelax();
    }
    const auto start = Clock::now();
    for (int seen; (seen = progress.load(std::memory_order_acquire)) < needed;)
        progress.wait(seen, std::memory_order_acquire);
    return Clock::now() - start;
}

// One bulge-chasing task in LAPACK's numbering (1-based, as the kernel expects): task 1 of
// a sweep annihilates column `sweep` below the first sub-diagonal, the following tasks
// alternately apply that reflector to the next diagonal block (type 3) and chase the
// bulge it creates one block further down (type 2).
struct Task {
    int type, first, last;
    bool endsSweep;
};

Task task(int sweep, int j, int n, int kd)
{
    Task t{};
    t.type = j == 1 ? 1 : j % 2 + 2;
    const int column = (t.type == 2 ? j / 2 : (j + 1) / 2) * kd + sweep;
    t.first = column - kd + 1;
    t.last = std::min(column, n);
    t.endsSweep = t.type == 2 ? column >= n - 1 : t.first >= t.last - 1 && t.last == n;
    return t;
}

} // namespace

Tridiagonal tridiagonalFromBand(const double *band, int ldBand, int n, int kd, int threads)
{
    Tridiagonal out;
    if (n <= 0)
        return out;
    kd = std::clamp(kd, 0, n - 1);
    // dsytrd_sb2st's working copy: the band in the top kd + 1 rows of a (2kd + 1) × n
    // array whose lower kd rows hold the bulges.
    const int lda = 2 * kd + 1;
    std::vector<double> a(size_t(lda) * size_t(n), 0.0);
    for (int j = 0; j < n; ++j)
        std::copy_n(band + size_t(j) * size_t(ldBand), kd + 1, a.begin() + ptrdiff_t(size_t(j) * size_t(lda)));

    if (kd > 1) {
        // Householder vectors and scalars of the current sweep, by sweep parity: sweeps
        // s and s − 1 run side by side, never s and s − 2.
        std::vector<double> v(2 * size_t(n)), tau(2 * size_t(n));
        std::vector<std::atomic<int>> progress(static_cast<size_t>(n)); // tasks finished per sweep (index s − 1)
        std::atomic<int> nextSweep{1};
        // When the machine is oversubscribed the threads keep being descheduled mid-pipeline
        // and every hand-over costs a scheduler latency. Once the threads together have slept
        // for half the time so far, the helpers stop taking sweeps: a busy machine then costs
        // the sequential speed rather than several times it.
        const auto start = Clock::now();
        std::atomic<Clock::rep> slept{0};
        const auto chase = [&](bool helper) {
            std::vector<double> work(static_cast<size_t>(kd));
            const int wantQ = 0, ib = 1, ldv = kd + 1;
            for (int s; (s = nextSweep.fetch_add(1)) <= n - 1;) {
                for (int j = 1;; ++j) {
                    if (s > 1)
                        slept += waitFor(progress[size_t(s - 2)], j + kShift - 1).count();
                    const Task t = task(s, j, n, kd);
                    dsb2st_kernels_("L", &wantQ, &t.type, &t.first, &t.last, &s, &n, &kd, &ib, a.data(), &lda,
                                    v.data(), tau.data(), &ldv, work.data());
                    std::atomic<int> &mine = progress[size_t(s - 1)];
                    mine.store(t.endsSweep ? kSweepDone : j, std::memory_order_release);
                    mine.notify_all();
                    if (t.endsSweep)
                        break;
                }
                if (helper && Clock::duration(slept.load() * 2) > Clock::now() - start)
                    return;
            }
        };
        // Sweeps are handed out in order, so whichever threads exist always make progress.
        std::vector<std::thread> helpers;
        for (int t = 1; t < std::min(threads, n / kd); ++t) {
            try {
                helpers.emplace_back(chase, true);
            } catch (const std::system_error &) {
                break; // fewer threads: slower, same result
            }
        }
        chase(false);
        for (auto &helper : helpers)
            helper.join();
    }

    out.diagonal.resize(size_t(n));
    out.offDiagonal.resize(size_t(n - 1));
    for (int i = 0; i < n; ++i)
        out.diagonal[size_t(i)] = a[size_t(i) * size_t(lda)];
    if (kd > 0)
        for (int i = 0; i + 1 < n; ++i)
            out.offDiagonal[size_t(i)] = a[size_t(i) * size_t(lda) + 1];
    return out;
}

} // namespace sculpt
