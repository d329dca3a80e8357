#pragma once
// What a model costs: what surgery that removes parts (heads, ranks) is measured by.
// Torch-free.

#include <cstdint>

namespace sculpt {

struct ModelCost {
    int64_t parameters = 0;   // every tensor the model computes with
    int64_t multiplyAdds = 0; // for one input: the linear layers' products and attention's q·kᵀ and weights·v
};

} // namespace sculpt
