#include "layout/guillotine_layouts.h"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>

namespace sculpt {
namespace {

// A double in [0, 1) from the top 53 bits of one draw: std::mt19937_64's sequence is fixed by
// the standard, std::uniform_real_distribution's mapping is not.
double unit(std::mt19937_64 &random) { return double(random() >> 11) * 0x1.0p-53; }

struct Cutter {
    const GuillotineOptions &options;
    std::mt19937_64 &random;
    std::vector<Panel> &panels;

    // Cuts `piece` into `count` panels, appending them in reading order.
    void cut(const Box &piece, int count, int depth)
    {
        if (count == 1) {
            panels.push_back({piece, {}});
            return;
        }
        const double w = piece.width(), h = piece.height();
        // Pieces more than twice as long one way are cut across that way, so none ends a
        // sliver; otherwise tiers first, then each piece by its shape.
        const double chanceAcross = h > 2 * w ? 1 : w > 2 * h ? 0 : depth == 0 ? options.firstCutAcross : h / (w + h);
        const bool across = unit(random) < chanceAcross;
        // The first side's panels: any split of a few, none below a quarter of many (a strip of
        // one panel across a crowded page would be a sliver).
        const int least = std::max(1, count / 4);
        const int first = least + std::min(count - 2 * least, int(unit(random) * (count - 2 * least + 1)));
        // Each side's length follows its share of the panels, give or take a fifth of the
        // smaller share, so panels stay of comparable size.
        const double share = double(first) / count;
        const double t = share + (unit(random) - 0.5) * 0.4 * std::min(share, 1 - share);
        // A piece crowded with panels narrows its gutter, so no panel ends without an area.
        const double gutter = std::min(options.gutter, (across ? h : w) / (2 * count));
        const double split = ((across ? h : w) - gutter) * t;
        if (across) {
            cut({piece.x0, piece.y0, piece.x1, piece.y0 + split}, first, depth + 1);
            cut({piece.x0, piece.y0 + split + gutter, piece.x1, piece.y1}, count - first, depth + 1);
        } else { // right before left
            cut({piece.x1 - split, piece.y0, piece.x1, piece.y1}, first, depth + 1);
            cut({piece.x0, piece.y0, piece.x1 - split - gutter, piece.y1}, count - first, depth + 1);
        }
    }
};

} // namespace

std::vector<Page> guillotineLayouts(const std::vector<int> &panelCounts, double aspect, uint64_t seed,
                                    const GuillotineOptions &options)
{
    if (!(aspect >= 0.1 && aspect <= 10))
        throw std::invalid_argument("guillotineLayouts: the aspect " + std::to_string(aspect) + " is not from 0.1 to 10");
    if (!(options.gutter >= 0 && options.margin >= 0 && options.gutter + 2 * options.margin < 0.5 &&
          options.firstCutAcross >= 0 && options.firstCutAcross <= 1))
        throw std::invalid_argument("guillotineLayouts: gutter and margins must leave half the page to panels, and "
                                    "firstCutAcross be a probability");
    std::mt19937_64 random(seed);
    std::vector<Page> pages;
    for (const int count : panelCounts) {
        if (count < 1 || count > kMaxGuillotinePanels)
            throw std::invalid_argument("guillotineLayouts: " + std::to_string(count) + " panels; 1 to " +
                                        std::to_string(kMaxGuillotinePanels) + " are cut");
        Page page;
        page.index = int(pages.size());
        page.width = 1;
        page.height = aspect;
        const double m = options.margin;
        Cutter{options, random, page.panels}.cut({m, m, 1 - m, aspect - m}, count, 0);
        pages.push_back(std::move(page));
    }
    return pages;
}

} // namespace sculpt
