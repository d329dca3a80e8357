#pragma once
// What MangaDiffusion's transformer is fed for one page: every panel drawn on a canvas the
// size of the whole page, its content only inside its own box; an intra-panel mask per panel
// (its box minus the text and speech-balloon boxes, which the image model must not paint);
// the page's panels padded with empty ones up to a maximum count, their caption canvases
// "EMPTY", and an inter-panel mask that hides those padding panels from attention across
// panels. The number of panels is the number of non-empty captions. Torch-free and Qt-free.

#include "layout/page.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

inline constexpr const char *kEmptyCaption = "EMPTY";
// The mask grid's width in cells the window and the CLI show; its height follows the page's
// aspect.
inline constexpr int kConditioningColumns = 32;
// The panels a page is padded to unless told otherwise: as many as the layout model takes.
inline constexpr int kDefaultMaxPanels = 12;
// A canvas's cells at most: a 1024 × 1024 grid, far finer than a latent image.
inline constexpr double kMaxCanvasCells = 1 << 20;

struct PanelCanvas {
    bool padding = false;
    Box box;                     // in page pixels; empty for padding
    std::vector<Point> outline;  // the panel's polygon where the file gives one
    std::string caption;         // its script, or kEmptyCaption
    std::vector<Box> textBoxes;  // the text areas the intra-panel mask leaves out
    std::vector<uint8_t> intraMask; // columns × rows cells, row-major: 1 where the panel's content is
};

struct PanelConditioning {
    double pageWidth = 0, pageHeight = 0;
    int columns = 0, rows = 0;     // the canvas grid every mask is drawn on
    std::vector<PanelCanvas> canvases;  // maxPanels of them: the captioned panels in reading order, then padding
    std::vector<uint8_t> interMask; // one per canvas: 1 for a panel that attends and is attended to, 0 for padding

    int panelCount() const;
};

// The default script of each panel in reading order: the text of the areas whose centre lies
// inside it, in `language` (the original where an area has no such text), joined by spaces.
std::vector<std::string> panelScripts(const Page &page, const std::vector<size_t> &order, const std::string &language = {});

// The captions a page starts with: each panel's script, and "panel N" (N counted from 1 in
// `order`) for a panel without text — an empty caption would make it padding.
std::vector<std::string> defaultCaptions(const Page &page, const std::vector<size_t> &order, const std::string &language = {});

// The conditioning of `page`'s panels taken in `order` (indices into page.panels), the i-th
// with captions[i]: a panel whose caption is empty becomes padding, as do the canvases after the
// panels, up to `maxPanels`. Masks are `columns` cells wide, as many rows as the page's aspect
// gives; a cell belongs to a panel when its centre lies inside the panel's outline (its box
// without one) and outside every text area whose centre is inside the panel. Throws
// std::invalid_argument when there are more panels with captions than maxPanels, when captions
// and order differ in length, or for a grid under one column, over kMaxCanvasCells cells or on a
// page without a size.
PanelConditioning conditionPanels(const Page &page, const std::vector<size_t> &order,
                                  const std::vector<std::string> &captions, int maxPanels, int columns);

} // namespace sculpt
