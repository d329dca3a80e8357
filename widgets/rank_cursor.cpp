#include "rank_cursor.h"

#include "analysis/metrics.h"

#include <algorithm>
#include <cmath>

namespace sculpt {

RankCut cutAtRank(std::span<const double> singularValues, int64_t rows, int64_t cols, double frobeniusSquared,
                  long rank)
{
    RankCut cut;
    cut.rows = rows;
    cut.cols = cols;
    cut.rank = std::clamp<long>(rank, 0, long(std::min(rows, cols)));
    cut.parameters = rows * cols;
    cut.parametersKept = cut.rank * (rows + cols);
    cut.compressionRatio = 1.0 - double(cut.parametersKept) / double(cut.parameters);
    cut.breakevenRank = double(rows) * double(cols) / double(rows + cols);
    if (size_t(cut.rank) <= singularValues.size() && frobeniusSquared > 0) {
        double kept = 0;
        for (long i = 0; i < cut.rank; ++i)
            kept += singularValues[size_t(i)] * singularValues[size_t(i)];
        cut.energyRetained = std::min(1.0, kept / frobeniusSquared); // rounding can overshoot 1 by an ulp
    }
    return cut;
}

long cursorRankForRatio(int64_t rows, int64_t cols, double ratio)
{
    if (rows <= 0 || cols <= 0 || std::isnan(ratio))
        return 0;
    const long full = long(std::min(rows, cols));
    if (ratio >= 0)
        return std::min(full, rankForCompression(rows, cols, ratio)); // exact at the boundary
    // k(m+n) ≤ (1 − ratio)·m·n; full rank costs at most twice W, so any ratio ≤ −1 keeps it all.
    const double k = std::floor((1.0 - ratio) * double(rows) * double(cols) / double(rows + cols));
    return long(std::min(double(full), k));
}

} // namespace sculpt
