#pragma once
// How important each attention head is by one strategy (HEAT's Taylor scores on the weights,
// on the activations, a learned gate …), and which heads masking a fraction of them removes.
// Torch-free, so the pass that scores heads and the heatmap that shows them share one ranking.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

struct HeadScores {
    std::string strategy;          // "weights", "activations", "gate", …
    int64_t layers = 0, heads = 0; // heads per layer
    std::vector<double> values;    // layers × heads, row-major; ≥ 0, larger = more important

    double at(int64_t layer, int64_t head) const { return values[size_t(layer * heads + head)]; }
};

using LayerHead = std::pair<int64_t, int64_t>; // (layer, head)

// Throws std::invalid_argument unless `values` holds layers × heads numbers, none NaN (a NaN
// has no place in a ranking).
void checkHeadScores(const HeadScores &scores);

// Each head's rank by importance, row-major like `values`: 1 is the most important, across
// the model or, with `perLayer`, within its own layer. Equal scores rank by (layer, head):
// the earlier head ranks lower, so it is the first of them to go.
std::vector<int64_t> headRanks(const HeadScores &scores, bool perLayer);

// The ⌊p·N⌋ lowest-ranked of the model's N heads or, with `perLayer`, the ⌊p·heads⌋
// lowest-ranked of each layer; in (layer, head) order. Throws std::invalid_argument for
// scores checkHeadScores refuses or p outside [0, 1].
std::vector<LayerHead> headsToMask(const HeadScores &scores, double p, bool perLayer);

} // namespace sculpt
