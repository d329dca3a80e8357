#include "compress/ratio.h"

#include "analysis/metrics.h"

#include <algorithm>

namespace sculpt {

int64_t breakEvenRank(int64_t rows, int64_t cols) { return rows * cols / (rows + cols); }

bool staysDense(const LayerSize &layer) { return layer.rank * (layer.rows + layer.cols) >= layer.rows * layer.cols; }

int64_t storedParameters(const LayerSize &layer)
{
    return staysDense(layer) ? layer.rows * layer.cols : layer.rank * (layer.rows + layer.cols);
}

double ratioRemoved(std::span<const LayerSize> layers)
{
    double stored = 0, dense = 0;
    for (const LayerSize &l : layers) {
        stored += double(storedParameters(l));
        dense += double(l.rows) * double(l.cols);
    }
    return dense > 0 ? 1 - stored / dense : 0;
}

int64_t rankForRatio(int64_t rows, int64_t cols, double ratio)
{
    // Nothing to remove: the dense layer meets it, and is exact (a rank just under break-even
    // would meet it too, but lose information for nothing).
    if (ratio <= 0)
        return std::min(rows, cols);
    return std::min<int64_t>(rankForCompression(rows, cols, ratio), std::min(rows, cols));
}

} // namespace sculpt
