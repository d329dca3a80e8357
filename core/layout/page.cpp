#include "layout/page.h"

#include <algorithm>

namespace sculpt {

Box boundsOf(const std::vector<Point> &points)
{
    if (points.empty())
        return {};
    Box box{points[0].x, points[0].y, points[0].x, points[0].y};
    for (const Point &p : points) {
        box.x0 = std::min(box.x0, p.x);
        box.y0 = std::min(box.y0, p.y);
        box.x1 = std::max(box.x1, p.x);
        box.y1 = std::max(box.y1, p.y);
    }
    return box;
}

std::vector<Box> panelBoxes(const Page &page)
{
    std::vector<Box> boxes;
    boxes.reserve(page.panels.size());
    for (const Panel &panel : page.panels)
        boxes.push_back(panel.box);
    return boxes;
}

} // namespace sculpt
