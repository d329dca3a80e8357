#pragma once
// How generated page layouts compare with real ones: the measures layout-generation papers
// report (LayoutGAN++, Kikuchi et al. 2021; Lee et al.'s Neural Design Network, 2020) on comic
// pages. Every measure reads a page normalised by its own width and height, so a model's
// layouts (width 1, height the page's aspect) and a reader's (pixels) compare directly. Pages
// without a positive width and height are left out of the geometric measures (all but the
// panel counts). Torch-free and Qt-free.

#include "layout/page.h"

#include <vector>

namespace sculpt {

// The share of pages whose panel count is the one asked for: `requested[i]` for `pages[i]`
// (std::invalid_argument unless the two lists are as long as each other); 0 for no pages.
double panelCountAccuracy(const std::vector<Page> &pages, const std::vector<int> &requested);

// How many pages have each panel count: [k] pages with k panels, up to the largest count.
std::vector<int> panelCountHistogram(const std::vector<Page> &pages);

// The page's panels' intersections, summed over each pair, as a share of the page's area
// (0 when no two panels meet; it can pass 1 when many overlap).
double pageOverlap(const Page &page);

// The share of the page its panels cover: the area of their union, clipped to the page.
double pageCoverage(const Page &page);

// LayoutGAN++'s alignment: for each panel, d = the smallest |difference| between one of its
// six coordinates (left, centre-x, right; top, centre-y, bottom) and the same coordinate of
// another panel; the page scores the mean over its panels of −log(1 − d), a lone panel (or
// d ≥ 1) scoring 0. 0 when every panel lines up with another on some edge or centre.
double pageAlignment(const Page &page);

// Means over the pages with an area; pageAlignment's over those with a panel. 0 for none.
double meanOverlap(const std::vector<Page> &pages);
double meanCoverage(const std::vector<Page> &pages);
double meanAlignment(const std::vector<Page> &pages);

// The share of pages with two or more panels whose reading order the cuts alone settle
// (orderIsWellDefined, reading_order.h), read in `direction`, a spread cut at its middle first.
// 0 for no such page.
double orderConsistency(const std::vector<Page> &pages, ReadingDirection direction);

// The Fréchet distance between Gaussians fitted to the panels' (centre x, centre y, width,
// height) of `generated` and of `reference`: |μ₁ − μ₂|² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½),
// the covariances with n − 1 (as FID's numpy does). NaN when either has fewer than two panels.
double panelFrechetDistance(const std::vector<Page> &generated, const std::vector<Page> &reference);

// Every measure of `generated` (asked for `requested` panels, read in `direction`) against
// `reference`: one row of a table, the same for the benchmark and the window.
struct LayoutMetrics {
    int pages = 0;                 // generated pages
    double countAccuracy = 0;      // panelCountAccuracy
    double overlap = 0;            // meanOverlap
    double coverage = 0;           // meanCoverage
    double alignment = 0;          // meanAlignment
    double orderConsistency = 0;   // orderConsistency
    double frechet = 0;            // panelFrechetDistance against the reference
    std::vector<int> countHistogram; // panelCountHistogram of the generated pages
};

LayoutMetrics layoutMetrics(const std::vector<Page> &generated, const std::vector<int> &requested,
                            const std::vector<Page> &reference, ReadingDirection direction = ReadingDirection::RightToLeft);

} // namespace sculpt
