#include "layout/panel_conditioning.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sculpt {
namespace {

bool inside(const Box &box, Point p) { return p.x >= box.x0 && p.x < box.x1 && p.y >= box.y0 && p.y < box.y1; }

// Even-odd rule: ACBF's panels are polygons, often slanted.
bool inside(const std::vector<Point> &polygon, Point p)
{
    bool in = false;
    for (size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
        const Point &a = polygon[i], &b = polygon[j];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x)
            in = !in;
    }
    return in;
}

Point centre(const Box &box) { return {(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2}; }

bool holds(const Panel &panel, Point p) { return panel.outline.size() >= 3 ? inside(panel.outline, p) : inside(panel.box, p); }

std::vector<const TextArea *> textsIn(const Page &page, const Panel &panel)
{
    std::vector<const TextArea *> texts;
    for (const TextArea &text : page.texts)
        if (holds(panel, centre(text.box)))
            texts.push_back(&text);
    return texts;
}

std::string textOf(const TextArea &area, const std::string &language)
{
    for (const LanguageText &text : area.texts)
        if (text.language == language)
            return text.text;
    return area.texts.empty() ? std::string() : area.texts.front().text;
}

} // namespace

int PanelConditioning::panelCount() const
{
    return int(std::count(interMask.begin(), interMask.end(), uint8_t{1}));
}

std::vector<std::string> panelScripts(const Page &page, const std::vector<size_t> &order, const std::string &language)
{
    std::vector<std::string> scripts;
    for (size_t index : order) {
        std::string script;
        for (const TextArea *area : textsIn(page, page.panels.at(index))) {
            const std::string text = textOf(*area, language);
            if (!text.empty())
                script += (script.empty() ? "" : " ") + text;
        }
        scripts.push_back(script);
    }
    return scripts;
}

std::vector<std::string> defaultCaptions(const Page &page, const std::vector<size_t> &order, const std::string &language)
{
    std::vector<std::string> captions = panelScripts(page, order, language);
    for (size_t i = 0; i < captions.size(); ++i)
        if (captions[i].empty())
            captions[i] = "panel " + std::to_string(i + 1);
    return captions;
}

PanelConditioning conditionPanels(const Page &page, const std::vector<size_t> &order,
                                  const std::vector<std::string> &captions, int maxPanels, int columns)
{
    if (captions.size() != order.size())
        throw std::invalid_argument(std::to_string(order.size()) + " panels but " + std::to_string(captions.size()) +
                                    " captions");
    if (columns < 1 || !(page.width > 0) || !(page.height > 0))
        throw std::invalid_argument("a panel canvas needs a page with a size and at least one column");
    const long captioned = std::count_if(captions.begin(), captions.end(), [](const std::string &c) { return !c.empty(); });
    if (captioned > maxPanels)
        throw std::invalid_argument(std::to_string(captioned) + " captioned panels, more than the " +
                                    std::to_string(maxPanels) + " the model takes");

    PanelConditioning c;
    c.pageWidth = page.width;
    c.pageHeight = page.height;
    c.columns = columns;
    const double rows = std::max(1.0, std::round(columns * page.height / page.width));
    if (double(columns) * rows > kMaxCanvasCells)
        throw std::invalid_argument("a canvas of " + std::to_string(columns) + " columns on a page of " +
                                    std::to_string(page.width) + " × " + std::to_string(page.height) +
                                    " has more cells than the preview draws");
    c.rows = int(rows);
    const double cellWidth = page.width / c.columns, cellHeight = page.height / c.rows;

    for (size_t i = 0; i < order.size(); ++i) {
        if (captions[i].empty())
            continue;
        const Panel &panel = page.panels.at(order[i]);
        PanelCanvas canvas;
        canvas.box = panel.box;
        canvas.outline = panel.outline;
        canvas.caption = captions[i];
        for (const TextArea *text : textsIn(page, panel))
            canvas.textBoxes.push_back(text->box);
        canvas.intraMask.assign(size_t(c.columns) * size_t(c.rows), 0);
        for (int row = 0; row < c.rows; ++row)
            for (int column = 0; column < c.columns; ++column) {
                const Point p{(column + 0.5) * cellWidth, (row + 0.5) * cellHeight};
                const bool text = std::any_of(canvas.textBoxes.begin(), canvas.textBoxes.end(),
                                              [&](const Box &box) { return inside(box, p); });
                canvas.intraMask[size_t(row) * size_t(c.columns) + size_t(column)] = holds(panel, p) && !text;
            }
        c.canvases.push_back(std::move(canvas));
    }
    while (c.canvases.size() < size_t(maxPanels)) {
        PanelCanvas padding;
        padding.padding = true;
        padding.caption = kEmptyCaption;
        padding.intraMask.assign(size_t(c.columns) * size_t(c.rows), 0);
        c.canvases.push_back(std::move(padding));
    }
    for (const PanelCanvas &canvas : c.canvases)
        c.interMask.push_back(canvas.padding ? 0 : 1);
    return c;
}

} // namespace sculpt
