#include "analysis/band_form.h"

#include "analysis/lapack.h"
#include "analysis/team.h"

#include <algorithm>
#include <memory>
#include <vector>

namespace sculpt {
namespace {

// Rows or columns per chunk of a trailing update: wide enough for BLAS-3 speed, narrow
// enough that two threads finish a phase together.
constexpr int kChunk = 256;

int chunks(int length) { return (length + kChunk - 1) / kChunk; }

// One reduction; `a` is n × n column-major, a(i, j) = a[i + j·n].
class Reduction {
public:
    Reduction(double *a, int n, int kd, double *band, int ldBand, int threads)
        : a_(a), n_(n), kd_(kd), band_(band), ldBand_(ldBand), tau_(size_t(kd)),
          w_(size_t(std::max(threads, 1)), std::vector<double>(size_t(kd) * size_t(kd))),
          m_(size_t(chunks(n)) * size_t(kd) * size_t(kd)), y_(new double[size_t(n) * size_t(kd)])
    {
        for (int p = 0; p < 2; ++p) {
            v_[p].reset(new double[size_t(n) * size_t(kd)]);
            t_[p].resize(size_t(kd) * size_t(kd));
        }
        int rows = n - kd, info = 0, lwork = -1;
        double query = 0;
        dgeqrf_(&rows, &kd_, a_, &n_, tau_.data(), &query, &lwork, &info);
        work_.resize(std::max<size_t>(1, size_t(query)));
    }

    void run(TeamMember &team, const JobContext &job)
    {
        int j0 = 0;
        if (team.rank() == 0 && j0 + kd_ < n_)
            factorPanel(j0, 0);
        team.sync();
        for (int parity = 0; j0 + kd_ < n_; j0 += kd_, parity ^= 1) {
            if (team.agree(job.cancelRequested()))
                return;
            updateTrailing(team, j0, parity);
        }
        if (team.rank() == 0)
            copyBand(j0, n_);
    }

private:
    double &at(int i, int j) { return a_[size_t(i) + size_t(j) * size_t(n_)]; }

    void copyBand(int j0, int j1)
    {
        for (int j = j0; j < j1; ++j)
            for (int i = j; i <= std::min(n_ - 1, j + kd_); ++i)
                band_[size_t(i - j) + size_t(j) * size_t(ldBand_)] = at(i, j);
    }

    // QR of the block below the band in columns [j0, j0 + kd): its R and the diagonal
    // block above it are final band columns; the reflectors V (unit lower trapezoidal,
    // stored explicitly for BLAS-3) and T (Q = I − V·T·Vᵀ) go to buffer `parity`.
    void factorPanel(int j0, int parity)
    {
        const int r0 = j0 + kd_, rows = n_ - r0, k = std::min(rows, kd_);
        double *panel = &at(r0, j0);
        int info = 0, lwork = int(work_.size());
        dgeqrf_(&rows, &kd_, panel, &n_, tau_.data(), work_.data(), &lwork, &info);
        copyBand(j0, j0 + kd_);
        double *v = v_[parity].get();
        for (int c = 0; c < k; ++c)
            for (int r = 0; r < rows; ++r)
                v[size_t(r) + size_t(c) * size_t(rows)] = r < c ? 0.0 : r == c ? 1.0 : panel[size_t(r) + size_t(c) * size_t(n_)];
        dlarft_("F", "C", &rows, &k, v, &rows, tau_.data(), t_[parity].data(), &kd_);
    }

    // A₂ ← QᵀA₂Q for the trailing matrix A₂ below and right of the panel:
    // Y = A₂VT, Z = Y − ½V(TᵀVᵀY), A₂ ← A₂ − VZᵀ − ZVᵀ.
    void updateTrailing(TeamMember &team, int j0, int parity)
    {
        const int r0 = j0 + kd_, rows = n_ - r0, k = std::min(rows, kd_), ld = n_;
        double *a2 = &at(r0, r0), *y = y_.get();
        const double *v = v_[parity].get(), *t = t_[parity].data();
        const double one = 1.0, zero = 0.0, minusOne = -1.0, minusHalf = -0.5;
        const size_t kk = size_t(kd_) * size_t(kd_);

        team.share(chunks(rows), [&](int c) {
            const int b0 = c * kChunk, b1 = std::min(rows, b0 + kChunk), h = b1 - b0, below = rows - b1;
            double *yb = y + b0;
            // Row block b of A₂V from the stored lower triangle: left of, on and below the diagonal.
            if (b0 > 0)
                dgemm_("N", "N", &h, &k, &b0, &one, a2 + b0, &ld, v, &rows, &zero, yb, &rows);
            dsymm_("L", "L", &h, &k, &one, a2 + b0 + size_t(b0) * size_t(ld), &ld, v + b0, &rows, b0 > 0 ? &one : &zero,
                   yb, &rows);
            if (below > 0)
                dgemm_("T", "N", &h, &k, &below, &one, a2 + b1 + size_t(b0) * size_t(ld), &ld, v + b1, &rows, &one, yb,
                       &rows);
            dtrmm_("R", "U", "N", "N", &h, &k, &one, t, &kd_, yb, &rows);
            // This block's share of VᵀY; summed in block order below, so no thread decides the rounding.
            dgemm_("T", "N", &k, &k, &h, &one, v + b0, &rows, yb, &rows, &zero, m_.data() + size_t(c) * kk, &kd_);
        });

        std::vector<double> &w = w_[size_t(team.rank())]; // TᵀVᵀY, on every thread
        std::fill(w.begin(), w.end(), 0.0);
        for (int c = 0; c < chunks(rows); ++c)
            for (int col = 0; col < k; ++col)
                for (int row = 0; row < k; ++row)
                    w[size_t(row) + size_t(col) * size_t(kd_)] += m_[size_t(c) * kk + size_t(row) + size_t(col) * size_t(kd_)];
        dtrmm_("L", "U", "T", "N", &k, &k, &one, t, &kd_, w.data(), &kd_);
        team.share(chunks(rows), [&](int c) {
            const int b0 = c * kChunk, h = std::min(rows, b0 + kChunk) - b0;
            dgemm_("N", "N", &h, &k, &k, &minusHalf, v + b0, &rows, w.data(), &kd_, &one, y + b0, &rows);
        });

        const auto update = [&](int c0, int c1) {
            const int width = c1 - c0, below = rows - c1;
            double *block = a2 + c0 + size_t(c0) * size_t(ld);
            dsyr2k_("L", "N", &width, &k, &minusOne, v + c0, &rows, y + c0, &rows, &one, block, &ld);
            if (below > 0) {
                dgemm_("N", "T", &below, &width, &k, &minusOne, v + c1, &rows, y + c0, &rows, &one, block + width, &ld);
                dgemm_("N", "T", &below, &width, &k, &minusOne, y + c1, &rows, v + c0, &rows, &one, block + width, &ld);
            }
        };
        // The next panel is the trailing matrix's first kd columns: rank 0 updates them
        // first and factors it while the others update the rest.
        const int first = std::min(kd_, rows);
        if (team.rank() == 0) {
            update(0, first);
            if (r0 + kd_ < n_)
                factorPanel(r0, parity ^ 1);
        }
        team.share(chunks(rows - first),
                   [&](int c) { update(first + c * kChunk, std::min(rows, first + (c + 1) * kChunk)); });
    }

    double *a_;
    int n_, kd_;
    double *band_;
    int ldBand_;
    std::vector<double> tau_;
    // One TᵀVᵀY per thread, allocated here: a member must not throw inside the team.
    std::vector<std::vector<double>> w_;
    std::vector<double> m_, work_;
    // Written before they are read; left uninitialised because first touches are dear.
    std::unique_ptr<double[]> y_;
    // By panel parity: the next panel is factored while the current one is applied.
    std::unique_ptr<double[]> v_[2];
    std::vector<double> t_[2];
};

} // namespace

void reduceToBand(double *a, int n, int kd, double *band, int ldBand, int threads, const JobContext &job)
{
    if (n <= 0)
        return;
    kd = std::clamp(kd, 1, std::max(1, n - 1));
    Reduction reduction(a, n, kd, band, ldBand, threads);
    runTeam(threads, [&](TeamMember &team) { reduction.run(team, job); });
}

} // namespace sculpt
