#pragma once
// Synthetic manga pages whose reading order is known, and the options of a layout model small
// enough to train inside a test: what the layout model's, calibration's and the window's tests
// share. Torch-free.

#include "layout/page.h"
#include "runtime/layout_training.h"

#include <algorithm>
#include <vector>

namespace sculpt::test {

// A manga page of `count` panels in rows of up to three, each row read right to left, rows top
// to bottom, inside margins and gutters: the reading order is the panels' order.
inline Page gridPage(int count, double aspect)
{
    Page page;
    page.width = 1000;
    page.height = 1000 * aspect;
    const int rows = std::min(4, (count + 2) / 3);
    constexpr double kMargin = 40, kGutter = 20;
    const double rowHeight = (page.height - 2 * kMargin - (rows - 1) * kGutter) / rows;
    int placed = 0;
    for (int r = 0; r < rows; ++r) {
        const int inRow = (count - placed) / (rows - r) + ((count - placed) % (rows - r) > 0 ? 1 : 0);
        const double width = (page.width - 2 * kMargin - (inRow - 1) * kGutter) / inRow;
        const double y0 = kMargin + r * (rowHeight + kGutter);
        for (int i = 0; i < inRow; ++i) {
            const double x1 = page.width - kMargin - i * (width + kGutter);
            page.panels.push_back({Box{x1 - width, y0, x1, y0 + rowHeight}, {}});
        }
        placed += inRow;
    }
    return page;
}

// `n` grid pages of 1 to 12 panels, the counts starting at 1 + `offset`, aspects 1.4 and 1.5.
inline std::vector<Page> gridPages(int n, int offset)
{
    std::vector<Page> pages;
    for (int i = 0; i < n; ++i)
        pages.push_back(gridPage(1 + (i + offset) % 12, i % 2 ? 1.5 : 1.4));
    return pages;
}

// A model of 12 panels, width 32, two blocks of two heads over 100 diffusion steps, trained for
// 400 steps of 32 pages: a few seconds, and its loss falls well below where it starts.
inline LayoutTrainingOptions tinyLayoutOptions()
{
    LayoutTrainingOptions o;
    o.shape.dim = 32;
    o.shape.layers = 2;
    o.shape.heads = 2;
    o.shape.hiddenDim = 64;
    o.shape.frequencyDim = 16;
    o.shape.timesteps = 100;
    o.steps = 400;
    o.batch = 32;
    o.learningRate = 2e-3;
    o.lossPoints = 4;
    return o;
}

} // namespace sculpt::test
