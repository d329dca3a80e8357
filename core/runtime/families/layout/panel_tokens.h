#pragma once
// Between a page and what the layout model reads and writes: each panel as its box's centre and
// size over the page's width and height. Torch-free.

#include "layout/page.h"

#include <vector>

namespace sculpt {

struct PanelToken {
    double cx = 0, cy = 0, w = 0, h = 0; // each in [0, 1] of the page's width or height
};

// The page's panels in its file's order (OpenMantra's and ACBF's is the reading order), each
// clamped to the page: annotations overshoot its edge by a pixel or two.
std::vector<PanelToken> panelTokens(const Page &page);

// height / width: what the model is conditioned on.
double aspectOf(const Page &page);

// A generated page: width 1, height `aspect`, one panel a token in their order, each box
// clipped to the page.
Page pageOf(const std::vector<PanelToken> &tokens, double aspect);

} // namespace sculpt
