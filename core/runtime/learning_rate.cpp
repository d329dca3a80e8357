#include "runtime/learning_rate.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sculpt {

double warmupCosineRate(double peak, int64_t step, int64_t steps)
{
    const int64_t warmup = std::max<int64_t>(1, steps / 20);
    if (step < warmup)
        return peak * double(step + 1) / double(warmup);
    const double progress = double(step - warmup) / double(std::max<int64_t>(1, steps - warmup));
    return peak * 0.5 * (1 + std::cos(std::numbers::pi * progress));
}

void setLearningRate(torch::optim::AdamW &optimizer, double rate)
{
    for (auto &group : optimizer.param_groups())
        static_cast<torch::optim::AdamWOptions &>(group.options()).lr(rate);
}

} // namespace sculpt
