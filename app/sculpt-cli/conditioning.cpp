// `sculpt-cli conditioning`: what MangaDiffusion's transformer is fed for one annotated page —
// the page-size panel canvases in reading order, each caption and intra-panel mask, the
// padding up to the maximum count and the inter-panel mask — as the Layouts tab previews it.

#include "box_json.h"
#include "commands.h"
#include "options.h"
#include "usage.h"

#include "layout/layout_reader.h"
#include "layout/panel_conditioning.h"
#include "layout/reading_order.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sculpt::cli {
namespace {

// The page whose index is `index` (as `layouts` prints it) in `book`.
const Page &pageOf(const LayoutBook &book, long index)
{
    const auto found = std::find_if(book.pages.begin(), book.pages.end(), [&](const Page &p) { return p.index == index; });
    if (found == book.pages.end())
        throw std::invalid_argument("\"" + book.title + "\" has no page " + std::to_string(index) +
                                    " (sculpt-cli layouts lists its pages)");
    return *found;
}

// The page's own captions in reading order, with each --caption K=TEXT put in place: an empty
// TEXT makes panel K padding, as clearing its field does in the window.
std::vector<std::string> captionsOf(const Options &options, std::vector<std::string> scripts)
{
    for (const std::string &pair : options.values("--caption")) {
        const size_t eq = pair.find('=');
        size_t panel = 0;
        try {
            panel = std::stoul(pair.substr(0, eq));
        } catch (const std::exception &) {
        }
        if (eq == std::string::npos || panel < 1 || panel > scripts.size() ||
            pair.substr(0, eq) != std::to_string(panel))
            throw std::invalid_argument("--caption takes K=TEXT for a panel K from 1 to " +
                                        std::to_string(scripts.size()) + ", not '" + pair + "'");
        scripts[panel - 1] = pair.substr(eq + 1);
    }
    return scripts;
}

size_t cellsOf(const PanelCanvas &canvas) { return size_t(std::count(canvas.intraMask.begin(), canvas.intraMask.end(), 1)); }

// The mask as text rows, "#" where the panel's content is.
std::vector<std::string> maskRows(const PanelConditioning &c, const PanelCanvas &canvas)
{
    std::vector<std::string> rows;
    for (int r = 0; r < c.rows; ++r) {
        std::string row;
        for (int col = 0; col < c.columns; ++col)
            row += canvas.intraMask[size_t(r) * size_t(c.columns) + size_t(col)] ? '#' : '.';
        rows.push_back(row);
    }
    return rows;
}

nlohmann::ordered_json conditioningJson(const PanelConditioning &c, const std::vector<size_t> &drawn)
{
    nlohmann::ordered_json out{{"width", c.pageWidth}, {"height", c.pageHeight}, {"columns", c.columns},
                               {"rows", c.rows},       {"panels", c.panelCount()}, {"inter_mask", c.interMask}};
    auto &canvases = out["canvases"] = nlohmann::ordered_json::array();
    for (size_t i = 0; i < c.canvases.size(); ++i) {
        const PanelCanvas &canvas = c.canvases[i];
        nlohmann::ordered_json entry{{"padding", canvas.padding}, {"caption", canvas.caption}};
        if (!canvas.padding) {
            entry["file_index"] = drawn[i];
            entry["box"] = boxJson(canvas.box);
            auto &texts = entry["text_boxes"] = nlohmann::ordered_json::array();
            for (const Box &t : canvas.textBoxes)
                texts.push_back(boxJson(t));
        }
        entry["cells"] = cellsOf(canvas);
        entry["mask"] = maskRows(c, canvas);
        canvases.push_back(entry);
    }
    return out;
}

void print(const PanelConditioning &c, const LayoutBook &book, const Page &page, const std::vector<size_t> &drawn,
           long shown)
{
    std::printf("%s, page %d: %.0f×%.0f, masks on a %d×%d grid; %d panels on %zu canvases\n", book.title.c_str(),
                page.index, c.pageWidth, c.pageHeight, c.columns, c.rows, c.panelCount(), c.canvases.size());
    const double cells = double(c.columns) * double(c.rows);
    for (size_t i = 0; i < c.canvases.size(); ++i) {
        const PanelCanvas &canvas = c.canvases[i];
        if (canvas.padding) {
            std::printf("  %2zu  padding  %s\n", i + 1, canvas.caption.c_str());
            continue;
        }
        std::printf("  %2zu  panel (file's #%zu)  %.0f %.0f %.0f %.0f  mask %5.1f %% of the page, %zu text box%s out  \"%s\"\n",
                    i + 1, drawn[i] + 1, canvas.box.x0, canvas.box.y0, canvas.box.x1, canvas.box.y1,
                    100 * double(cellsOf(canvas)) / cells, canvas.textBoxes.size(), canvas.textBoxes.size() == 1 ? "" : "es",
                    canvas.caption.c_str());
    }
    std::printf("inter-panel mask:");
    for (const uint8_t v : c.interMask)
        std::printf(" %d", int(v));
    std::printf("\n");
    if (shown > 0) {
        std::printf("canvas %ld's intra-panel mask (# where its content is):\n", shown);
        for (const std::string &row : maskRows(c, c.canvases[size_t(shown - 1)]))
            std::printf("  %s\n", row.c_str());
    }
}

} // namespace

int conditioning(const std::vector<std::string> &args)
{
    Options options("conditioning", {"--page", "--book", "--caption", "--language", "--max-panels", "--columns", "--mask"},
                    {"--order", "--json"});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() != 1 || !options.has("--page")) {
        std::cerr << usageOf("conditioning");
        return kBadInput;
    }
    const auto index = options.count("--page", 0, 0);
    const auto bookNumber = options.count("--book", 1, 1);
    const auto maxPanels = options.count("--max-panels", kDefaultMaxPanels, 1);
    const auto columns = options.count("--columns", kConditioningColumns, 1);
    const auto shown = options.count("--mask", 0, 1);
    if (!index || !bookNumber || !maxPanels || !columns || !shown)
        return kBadInput;
    return options.badInputEnds([&] {
        const std::vector<LayoutBook> books = readLayouts(options.positional()[0]);
        if (size_t(*bookNumber) > books.size())
            throw std::invalid_argument("--book " + std::to_string(*bookNumber) + ": the annotations hold " +
                                        std::to_string(books.size()) + " book" + (books.size() == 1 ? "" : "s"));
        const LayoutBook &book = books[size_t(*bookNumber - 1)];
        const Page &page = pageOf(book, *index);
        const std::vector<size_t> order = panelOrder(book, page, options.has("--order"));
        const std::vector<std::string> captions =
            captionsOf(options, defaultCaptions(page, order, options.value("--language")));
        const PanelConditioning c = conditionPanels(page, order, captions, int(*maxPanels), int(*columns));
        std::vector<size_t> drawn; // the panel each canvas draws, in the file's numbering
        for (size_t i = 0; i < order.size(); ++i)
            if (!captions[i].empty())
                drawn.push_back(order[i]);
        if (*shown > long(c.canvases.size()))
            throw std::invalid_argument("--mask " + std::to_string(*shown) + ": there are " +
                                        std::to_string(c.canvases.size()) + " canvases");
        if (options.has("--json"))
            std::cout << conditioningJson(c, drawn).dump(2) << "\n";
        else
            print(c, book, page, drawn, *shown);
        return kOk;
    });
}

} // namespace sculpt::cli
