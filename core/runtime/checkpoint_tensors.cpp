#include "runtime/checkpoint_tensors.h"

namespace sculpt {

void appendLinear(NamedTensors &out, const std::string &name, const Linear &linear, bool factorized, bool transposed)
{
    if (factorized && linear.isLowRank()) {
        const Linear::Factors f = linear.factors();
        out.emplace_back(name + ".weight_a", f.a);
        out.emplace_back(name + ".weight_b", f.b);
    } else {
        const torch::Tensor w = linear.weight();
        out.emplace_back(name + ".weight", transposed ? w.t() : w);
    }
    if (linear.bias().defined())
        out.emplace_back(name + ".bias", linear.bias());
}

} // namespace sculpt
