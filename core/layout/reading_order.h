#pragma once
// The order a reader takes a page's panels in, estimated from their boxes alone by Kovanen and
// Aizawa's recursive cut (manga109/panel-order-estimator is the reference), and how far an
// estimated order agrees with an annotated one. Torch-free and Qt-free.

#include "layout/page.h"

#include <cstddef>
#include <vector>

namespace sculpt {

struct OrderOptions {
    ReadingDirection direction = ReadingDirection::RightToLeft;
    bool spread = false; // cut at the page's middle first, then read each half
    // A box that crosses a cut line by more than this share of its own height (or width)
    // blocks that cut.
    double straddle = 0.25;
};

// The indices of `boxes` in reading order: horizontal cuts first (top before bottom), then
// vertical cuts (right before left for manga, left before right for western comics); boxes no
// cut separates are read by their top, then by their side in the reading direction.
std::vector<size_t> readingOrder(const std::vector<Box> &boxes, double pageWidth, const OrderOptions &options);

// The page's panels in reading order, under the book's direction.
std::vector<size_t> readingOrder(const Page &page, ReadingDirection direction);

// The panels of `page` (one of `book`'s) in the order a reader takes them: as the file lists
// them when it gives the reading order and `estimate` is off, else as readingOrder estimates.
std::vector<size_t> panelOrder(const LayoutBook &book, const Page &page, bool estimate);

// Whether the cuts alone order every box: no two boxes are left that no cut separates (boxes
// overlapping too much to cut between, or interlocked as a pinwheel).
bool orderIsWellDefined(const std::vector<Box> &boxes, double pageWidth, const OrderOptions &options);

// Kendall's τ between `order` and 0, 1, …, n−1: 1 when they agree, −1 when reversed; 1 for
// fewer than two items.
double kendallTau(const std::vector<size_t> &order);

struct OrderAgreement {
    int pages = 0;          // pages with two or more panels, of books whose files give an order
    int fullAgreement = 0;  // of those, pages whose estimated order is the file's
    double meanTau = 0;     // Kendall's τ between the two orders, averaged over those pages
};

// The estimator against the files' own order.
OrderAgreement orderAgreement(const std::vector<LayoutBook> &books);

} // namespace sculpt
