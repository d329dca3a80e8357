#pragma once
// A non-learned baseline for page-layout generation: pages cut at random, recursively and
// always straight across (guillotine cuts), into exactly the panels asked for. What a learned
// layout model has to beat on layout_metrics.h. Torch-free and Qt-free.

#include "layout/page.h"

#include <cstdint>
#include <vector>

namespace sculpt {

struct GuillotineOptions {
    // The white space between neighbouring panels, in page widths; narrower where many panels
    // crowd a small piece, so that every panel keeps an area.
    double gutter = 0.02;
    double margin = 0.04;  // the white space around them all, in page widths
    // The chance that the first cut runs across the page (tiers, as manga pages are drawn);
    // deeper cuts run across with a chance that falls with the piece's own height.
    double firstCutAcross = 0.9;
};

inline constexpr int kMaxGuillotinePanels = 64;

// One page per entry of `panelCounts` (each 1 to kMaxGuillotinePanels), `aspect` high
// (height / width, 0.1 to 10) and 1 wide, as the layout model gives its pages: panels that
// neither overlap nor leave the page, listed top tier first and right before left (manga's
// reading order). The same seed gives the same pages on every platform: doubles come from
// std::mt19937_64's raw draws, not from a standard library's distributions. Throws
// std::invalid_argument for a count, aspect or option out of range.
std::vector<Page> guillotineLayouts(const std::vector<int> &panelCounts, double aspect, uint64_t seed,
                                    const GuillotineOptions &options = {});

} // namespace sculpt
