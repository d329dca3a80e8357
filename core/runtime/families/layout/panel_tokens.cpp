#include "runtime/families/layout/panel_tokens.h"

#include <algorithm>

namespace sculpt {
namespace {

double unit(double v) { return std::clamp(v, 0.0, 1.0); }

} // namespace

std::vector<PanelToken> panelTokens(const Page &page)
{
    std::vector<PanelToken> tokens;
    for (const Panel &panel : page.panels) {
        const Box &b = panel.box;
        const double x0 = unit(b.x0 / page.width), x1 = unit(b.x1 / page.width);
        const double y0 = unit(b.y0 / page.height), y1 = unit(b.y1 / page.height);
        tokens.push_back({(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0});
    }
    return tokens;
}

double aspectOf(const Page &page) { return page.height / page.width; }

Page pageOf(const std::vector<PanelToken> &tokens, double aspect)
{
    Page page;
    page.width = 1;
    page.height = aspect;
    for (const PanelToken &t : tokens) {
        const double w = unit(t.w), h = unit(t.h);
        page.panels.push_back({Box{unit(t.cx - w / 2), unit(t.cy - h / 2) * aspect, unit(t.cx + w / 2),
                                   unit(t.cy + h / 2) * aspect},
                               {}});
    }
    return page;
}

} // namespace sculpt
