#include "analysis/exact_spectrum.h"

#include "analysis/lapack.h"

#include <algorithm>
#include <stdexcept>

namespace sculpt {
namespace {

// Rows converted to float64 per dsyrk call: large enough for BLAS-3 speed, small enough
// that the float64 copy never rivals the matrix itself.
constexpr int64_t kBlockElements = 1 << 20;

// G = WᵀW (cols × cols), lower triangle, accumulated over blocks of rows. Row-major W is
// column-major Wᵀ, so a block of rows is a contiguous cols × r column-major panel A and
// its contribution is A·Aᵀ.
std::vector<double> gramOfColumns(const float *w, int64_t rows, int64_t cols, const JobContext &job)
{
    const int n = static_cast<int>(cols);
    std::vector<double> gram(static_cast<size_t>(cols * cols), 0.0);
    const int64_t blockRows = std::max<int64_t>(1, kBlockElements / cols);
    std::vector<double> panel(static_cast<size_t>(std::min(rows, blockRows) * cols));
    const double one = 1.0;
    for (int64_t r0 = 0; r0 < rows; r0 += blockRows) {
        job.checkCancelled();
        const int k = static_cast<int>(std::min(blockRows, rows - r0));
        std::copy(w + r0 * cols, w + (r0 + k) * cols, panel.begin());
        dsyrk_("L", "N", &n, &k, &one, panel.data(), &n, &one, gram.data(), &n);
    }
    return gram;
}

// G = WWᵀ (rows × rows), accumulated over blocks of columns: each block is copied into a
// column-major panel A (width × rows) whose contribution is AᵀA.
std::vector<double> gramOfRows(const float *w, int64_t rows, int64_t cols, const JobContext &job)
{
    const int n = static_cast<int>(rows);
    std::vector<double> gram(static_cast<size_t>(rows * rows), 0.0);
    const int64_t blockCols = std::max<int64_t>(1, kBlockElements / rows);
    std::vector<double> panel(static_cast<size_t>(std::min(cols, blockCols) * rows));
    const double one = 1.0;
    for (int64_t c0 = 0; c0 < cols; c0 += blockCols) {
        job.checkCancelled();
        const int k = static_cast<int>(std::min(blockCols, cols - c0));
        for (int64_t r = 0; r < rows; ++r)
            std::copy(w + r * cols + c0, w + r * cols + c0 + k, panel.begin() + r * k);
        dsyrk_("L", "T", &n, &k, &one, panel.data(), &k, &one, gram.data(), &n);
    }
    return gram;
}

} // namespace

std::vector<double> exactSingularValues(const float *matrix, int64_t rows, int64_t cols, const JobContext &job)
{
    if (rows <= 0 || cols <= 0)
        return {};
    if (std::max(rows, cols) > INT32_MAX)
        throw std::invalid_argument("matrix side exceeds LAPACK's 32-bit indices");
    const bool tall = rows >= cols;
    std::vector<double> gram = tall ? gramOfColumns(matrix, rows, cols, job) : gramOfRows(matrix, rows, cols, job);
    job.checkCancelled();
    return singularValuesOfGram(gram, static_cast<int>(tall ? cols : rows), job);
}

} // namespace sculpt
