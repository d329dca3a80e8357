// Page layouts read by content — Manga109 and ACBF XML through expat, OpenMantra's JSON — and
// what the window and the CLI do with every page at once: its reading order and its panel
// canvases. The order must be a permutation of the panels; a page the canvases cannot take is
// refused with std::invalid_argument, as the window refuses it.

#include "fuzz_input.h"
#include "layout/layout_reader.h"
#include "layout/panel_conditioning.h"
#include "layout/reading_order.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

using namespace sculpt;

static_assert(fuzz::kTarget == "layout");

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzz::MemoryFile input(data, size);
    fuzz::refusing([&] {
        for (const LayoutBook &book : readLayouts(input.path()))
            for (const Page &page : book.pages) {
                fuzz::expect(page.width >= 0 && page.height >= 0, "a page of negative size");
                const std::vector<size_t> order = readingOrder(page, book.direction);
                std::vector<size_t> sorted = order, all(page.panels.size());
                std::sort(sorted.begin(), sorted.end());
                std::iota(all.begin(), all.end(), size_t{0});
                fuzz::expect(sorted == all, "the reading order is not a permutation of the panels");
                try {
                    const PanelConditioning c = conditionPanels(page, order, panelScripts(page, order), 16, 16);
                    fuzz::expect(c.canvases.size() == 16 && c.interMask.size() == 16,
                                 "not one canvas and one inter-panel mark per slot");
                } catch (const std::invalid_argument &) {
                }
            }
    });
    return 0;
}
