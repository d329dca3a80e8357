#include "layout/reading_order.h"

#include <algorithm>
#include <numeric>
#include <optional>

namespace sculpt {
namespace {

using Indices = std::vector<size_t>;

// A box's extent along the cut's axis, in the axis' reading direction: y down for horizontal
// cuts; x mirrored for right-to-left vertical cuts, so "before the line" always means first.
struct Axis {
    bool horizontal;
    bool mirrored;

    std::pair<double, double> extent(const Box &b) const
    {
        if (horizontal)
            return {b.y0, b.y1};
        return mirrored ? std::pair{-b.x1, -b.x0} : std::pair{b.x0, b.x1};
    }
    double along(double line) const { return !horizontal && mirrored ? -line : line; }
};

// 0 before the line, 1 after it, nothing when the line crosses the box too deep to cut.
std::optional<int> sideOf(std::pair<double, double> extent, double line, double straddle)
{
    const auto [lo, hi] = extent;
    if (line <= lo)
        return 1;
    if (hi <= line)
        return 0;
    const double share = (line - lo) / (hi - lo);
    if (std::min(share, 1 - share) > straddle)
        return std::nullopt;
    return share > 0.5 ? 0 : 1;
}

// The two sides of a cut along `axis` at `line`, or nothing when a box blocks it or a side
// would be empty.
std::optional<std::pair<Indices, Indices>> cut(const std::vector<Box> &boxes, const Indices &set, const Axis &axis,
                                               double line, double straddle)
{
    std::pair<Indices, Indices> sides;
    for (size_t i : set) {
        const std::optional<int> side = sideOf(axis.extent(boxes[i]), axis.along(line), straddle);
        if (!side)
            return std::nullopt;
        (*side == 0 ? sides.first : sides.second).push_back(i);
    }
    if (sides.first.empty() || sides.second.empty())
        return std::nullopt;
    return sides;
}

// The first cut in priority order: horizontal lines top down, then vertical lines in the
// reading direction, each through a box edge.
std::optional<std::pair<Indices, Indices>> firstCut(const std::vector<Box> &boxes, const Indices &set,
                                                    const OrderOptions &options)
{
    for (const bool horizontal : {true, false}) {
        const Axis axis{horizontal, options.direction == ReadingDirection::RightToLeft};
        std::vector<double> lines;
        for (size_t i : set) {
            const auto [lo, hi] = axis.extent(boxes[i]);
            lines.push_back(lo);
            lines.push_back(hi);
        }
        // Edges shared by many boxes (a row of panels) are one line, tried once.
        std::sort(lines.begin(), lines.end());
        lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
        for (double line : lines)
            if (auto sides = cut(boxes, set, axis, axis.along(line), options.straddle))
                return sides;
    }
    return std::nullopt;
}

// What no cut separates is read by its top, then in the reading direction: the order a reader
// falls back on, and the reason such a set counts as not well defined.
void readUncut(const std::vector<Box> &boxes, Indices set, const OrderOptions &options, Indices &order)
{
    const bool rightToLeft = options.direction == ReadingDirection::RightToLeft;
    std::stable_sort(set.begin(), set.end(), [&](size_t a, size_t b) {
        if (boxes[a].y0 != boxes[b].y0)
            return boxes[a].y0 < boxes[b].y0;
        return rightToLeft ? boxes[a].x1 > boxes[b].x1 : boxes[a].x0 < boxes[b].x0;
    });
    order.insert(order.end(), set.begin(), set.end());
}

// Appends `set` in reading order; returns false when some part of it no cut separates.
bool read(const std::vector<Box> &boxes, const Indices &set, const OrderOptions &options, Indices &order)
{
    if (set.size() <= 1) {
        order.insert(order.end(), set.begin(), set.end());
        return true;
    }
    const auto sides = firstCut(boxes, set, options);
    if (!sides) {
        readUncut(boxes, set, options, order);
        return false;
    }
    const bool first = read(boxes, sides->first, options, order);
    return read(boxes, sides->second, options, order) && first;
}

bool estimate(const std::vector<Box> &boxes, double pageWidth, const OrderOptions &options, Indices &order)
{
    Indices all(boxes.size());
    std::iota(all.begin(), all.end(), size_t{0});
    if (options.spread) {
        // The two pages of a spread are read one after the other whatever their panels suggest.
        const Axis vertical{false, options.direction == ReadingDirection::RightToLeft};
        if (auto pages = cut(boxes, all, vertical, pageWidth / 2, options.straddle)) {
            const bool first = read(boxes, pages->first, options, order);
            return read(boxes, pages->second, options, order) && first;
        }
    }
    return read(boxes, all, options, order);
}

} // namespace

std::vector<size_t> readingOrder(const std::vector<Box> &boxes, double pageWidth, const OrderOptions &options)
{
    Indices order;
    estimate(boxes, pageWidth, options, order);
    return order;
}

std::vector<size_t> readingOrder(const Page &page, ReadingDirection direction)
{
    OrderOptions options;
    options.direction = direction;
    options.spread = page.spread;
    return readingOrder(panelBoxes(page), page.width, options);
}

std::vector<size_t> panelOrder(const LayoutBook &book, const Page &page, bool estimate)
{
    if (!book.panelsInReadingOrder || estimate)
        return readingOrder(page, book.direction);
    std::vector<size_t> listed(page.panels.size());
    std::iota(listed.begin(), listed.end(), size_t{0});
    return listed;
}

bool orderIsWellDefined(const std::vector<Box> &boxes, double pageWidth, const OrderOptions &options)
{
    Indices order;
    return estimate(boxes, pageWidth, options, order);
}

double kendallTau(const std::vector<size_t> &order)
{
    const size_t n = order.size();
    if (n < 2)
        return 1;
    long long concordant = 0, discordant = 0;
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j)
            (order[i] < order[j] ? concordant : discordant) += 1;
    return double(concordant - discordant) / double(concordant + discordant);
}

OrderAgreement orderAgreement(const std::vector<LayoutBook> &books)
{
    OrderAgreement agreement;
    double tauSum = 0;
    for (const LayoutBook &book : books) {
        if (!book.panelsInReadingOrder)
            continue;
        for (const Page &page : book.pages) {
            if (page.panels.size() < 2)
                continue;
            const std::vector<size_t> order = readingOrder(page, book.direction);
            ++agreement.pages;
            tauSum += kendallTau(order);
            if (std::is_sorted(order.begin(), order.end()))
                ++agreement.fullAgreement;
        }
    }
    agreement.meanTau = agreement.pages > 0 ? tauSum / agreement.pages : 0;
    return agreement;
}

} // namespace sculpt
