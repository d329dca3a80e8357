#include "analysis/exact_spectrum.h"

#include "analysis/lapack.h"
#include "analysis/team.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace sculpt {
namespace {

// Float64 elements converted per panel: large enough for BLAS-3 speed, small enough
// that the float64 copy never rivals the matrix itself.
constexpr int64_t kPanelElements = 1 << 20;
// Gram columns per chunk a thread takes.
constexpr int kChunk = 256;
// Chunks a panel's conversion to float64 is cut into.
constexpr int kCopyChunks = 16;

int chunks(int64_t length) { return int((length + kChunk - 1) / kChunk); }

// The Gram matrix is accumulated over panels of W converted to float64; each panel's
// product is cut into column chunks of the (lower) Gram matrix that any thread may take.
// Its storage and the panels' are left uninitialised: the first panel's product overwrites
// (β = 0) and only the lower triangle is ever read. Zeroing would touch every page on one
// thread, and a first touch is the dear part here (20 ms for 32 MB on this machine).
class Gram {
public:
    explicit Gram(int n) : n_(n), values_(new double[size_t(n) * size_t(n)]) {}

    // G += PPᵀ for a column-major n × k panel P (lda n), or PᵀP for a k × n one (lda k).
    void add(TeamMember &team, const double *panel, int k, bool transposed)
    {
        const double one = 1.0, beta = empty_ ? 0.0 : 1.0;
        team.share(chunks(n_), [&](int c) {
            const int c0 = c * kChunk, c1 = std::min(n_, c0 + kChunk), width = c1 - c0, below = n_ - c1;
            double *block = values_.get() + size_t(c0) + size_t(c0) * size_t(n_);
            if (!transposed) {
                dsyrk_("L", "N", &width, &k, &one, panel + c0, &n_, &beta, block, &n_);
                if (below > 0)
                    dgemm_("N", "T", &below, &width, &k, &one, panel + c1, &n_, panel + c0, &n_, &beta, block + width, &n_);
            } else {
                dsyrk_("L", "T", &width, &k, &one, panel + size_t(c0) * size_t(k), &k, &beta, block, &n_);
                if (below > 0)
                    dgemm_("T", "N", &below, &width, &k, &one, panel + size_t(c1) * size_t(k), &k,
                           panel + size_t(c0) * size_t(k), &k, &beta, block + width, &n_);
            }
        });
        if (team.rank() == 0)
            empty_ = false; // read again only after the next phase's barrier
    }

    double *values() { return values_.get(); }

private:
    int n_;
    std::unique_ptr<double[]> values_;
    bool empty_ = true;
};

// G = WᵀW (cols × cols) over blocks of rows. Row-major W is column-major Wᵀ, so a block
// of rows is a contiguous cols × r column-major panel P and its contribution is PPᵀ.
void gramOfColumns(TeamMember &team, Gram &gram, double *panel, const float *w, int64_t rows,
                   int64_t cols, const JobContext &job)
{
    const int64_t blockRows = std::max<int64_t>(1, kPanelElements / cols);
    for (int64_t r0 = 0; r0 < rows; r0 += blockRows) {
        if (team.agree(job.cancelRequested()))
            return;
        const int k = static_cast<int>(std::min(blockRows, rows - r0));
        team.share(kCopyChunks, [&](int c) {
            const int64_t first = k * int64_t(c) / kCopyChunks, last = k * int64_t(c + 1) / kCopyChunks;
            std::copy(w + (r0 + first) * cols, w + (r0 + last) * cols, panel + first * cols);
        });
        gram.add(team, panel, k, false);
    }
}

// G = WWᵀ (rows × rows) over blocks of columns: each block is copied into a column-major
// panel P (width × rows) whose contribution is PᵀP.
void gramOfRows(TeamMember &team, Gram &gram, double *panel, const float *w, int64_t rows,
                int64_t cols, const JobContext &job)
{
    const int64_t blockCols = std::max<int64_t>(1, kPanelElements / rows);
    for (int64_t c0 = 0; c0 < cols; c0 += blockCols) {
        if (team.agree(job.cancelRequested()))
            return;
        const int k = static_cast<int>(std::min(blockCols, cols - c0));
        team.share(kCopyChunks, [&](int c) {
            for (int64_t r = rows * c / kCopyChunks; r < rows * (c + 1) / kCopyChunks; ++r)
                std::copy(w + r * cols + c0, w + r * cols + c0 + k, panel + r * k);
        });
        gram.add(team, panel, k, true);
    }
}

} // namespace

std::vector<double> exactSingularValues(const float *matrix, int64_t rows, int64_t cols, const JobContext &job)
{
    if (rows <= 0 || cols <= 0)
        return {};
    if (std::max(rows, cols) > INT32_MAX)
        throw std::invalid_argument("matrix side exceeds LAPACK's 32-bit indices");
    const bool tall = rows >= cols;
    const int n = static_cast<int>(tall ? cols : rows);
    const int64_t other = tall ? rows : cols;
    const blas::SequentialScope sequential;
    Gram gram(n);
    const std::unique_ptr<double[]> panel(new double[size_t(std::min(other, std::max<int64_t>(1, kPanelElements / n)) * n)]);
    runTeam(sequential.threadsBefore(), [&](TeamMember &team) {
        if (tall)
            gramOfColumns(team, gram, panel.get(), matrix, rows, cols, job);
        else
            gramOfRows(team, gram, panel.get(), matrix, rows, cols, job);
    });
    job.checkCancelled();
    return singularValuesOfGram(gram.values(), n, job);
}

} // namespace sculpt
