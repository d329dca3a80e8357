// `sculpt-cli layouts`: the pages of a manga or comic annotation file, their panels (in the
// estimated reading order with --order) and how far that order agrees with the file's own.

#include "box_json.h"
#include "commands.h"
#include "usage.h"

#include "io/error.h"
#include "layout/layout_reader.h"
#include "layout/reading_order.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>

namespace sculpt::cli {
namespace {

struct LayoutsArgs {
    std::string path;
    bool order = false;
    bool json = false;
};

std::optional<LayoutsArgs> parse(const std::vector<std::string> &args)
{
    LayoutsArgs a;
    for (const std::string &arg : args) {
        if (arg == "--order")
            a.order = true;
        else if (arg == "--json")
            a.json = true;
        else if (!arg.starts_with("-") && a.path.empty())
            a.path = arg;
        else {
            std::cerr << "sculpt-cli layouts: unexpected '" << arg << "'\n" << usageOf("layouts");
            return std::nullopt;
        }
    }
    if (a.path.empty()) {
        std::cerr << usageOf("layouts");
        return std::nullopt;
    }
    return a;
}

const char *directionName(ReadingDirection direction)
{
    return direction == ReadingDirection::RightToLeft ? "right to left" : "left to right";
}

// The panels as listed: the estimated reading order with --order, else the file's.
std::vector<size_t> listed(const Page &page, const LayoutBook &book, bool order)
{
    if (order)
        return readingOrder(page, book.direction);
    std::vector<size_t> indices(page.panels.size());
    std::iota(indices.begin(), indices.end(), size_t{0});
    return indices;
}

nlohmann::ordered_json pageJson(const Page &page, const LayoutBook &book, bool order)
{
    nlohmann::ordered_json out{{"index", page.index}, {"width", page.width}, {"height", page.height},
                               {"spread", page.spread}, {"image", page.image}};
    auto &panels = out["panels"] = nlohmann::ordered_json::array();
    const std::vector<size_t> indices = listed(page, book, order);
    for (size_t i : indices) {
        nlohmann::ordered_json panel = boxJson(page.panels[i].box);
        panel["file_index"] = i;
        panels.push_back(panel);
    }
    auto &texts = out["texts"] = nlohmann::ordered_json::array();
    for (const TextArea &area : page.texts) {
        nlohmann::ordered_json text = boxJson(area.box);
        for (const LanguageText &t : area.texts)
            text["text"][t.language.empty() ? "original" : t.language] = t.text;
        texts.push_back(text);
    }
    if (order && book.panelsInReadingOrder && page.panels.size() >= 2)
        out["kendall_tau"] = kendallTau(indices); // the estimated order, with --order
    return out;
}

void printPage(const Page &page, const LayoutBook &book, bool order)
{
    std::printf("  page %d  %.0f×%.0f%s  %zu panels, %zu text areas\n", page.index, page.width, page.height,
                page.spread ? " (spread)" : "", page.panels.size(), page.texts.size());
    const std::vector<size_t> indices = listed(page, book, order);
    for (size_t k = 0; k < indices.size(); ++k) {
        const Box &b = page.panels[indices[k]].box;
        std::printf("    %2zu  %7.1f %7.1f %7.1f %7.1f", k + 1, b.x0, b.y0, b.x1, b.y1);
        if (order)
            std::printf("   (file's #%zu)", indices[k] + 1);
        std::printf("\n");
    }
}

} // namespace

int layouts(const std::vector<std::string> &args)
{
    const std::optional<LayoutsArgs> a = parse(args);
    if (!a)
        return kBadInput;
    std::vector<LayoutBook> books;
    try {
        books = readLayouts(a->path);
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli layouts: " << e.what() << "\n";
        return kBadInput;
    }
    const bool ordered = std::any_of(books.begin(), books.end(), [](const LayoutBook &b) { return b.panelsInReadingOrder; });
    const OrderAgreement agreement = orderAgreement(books);

    if (a->json) {
        nlohmann::ordered_json out{{"path", a->path}};
        auto &list = out["books"] = nlohmann::ordered_json::array();
        for (const LayoutBook &book : books) {
            nlohmann::ordered_json entry{{"title", book.title},
                                         {"format", book.format},
                                         {"direction", directionName(book.direction)},
                                         {"panels_in_reading_order", book.panelsInReadingOrder}};
            auto &pages = entry["pages"] = nlohmann::ordered_json::array();
            for (const Page &page : book.pages)
                pages.push_back(pageJson(page, book, a->order));
            list.push_back(entry);
        }
        if (a->order && ordered)
            out["agreement"] = {{"pages", agreement.pages},
                                {"full_agreement", agreement.fullAgreement},
                                {"mean_kendall_tau", agreement.meanTau}};
        std::cout << out.dump(2) << "\n";
        return kOk;
    }
    for (const LayoutBook &book : books) {
        size_t panels = 0;
        for (const Page &page : book.pages)
            panels += page.panels.size();
        std::printf("%s (%s, %s): %zu pages, %zu panels%s\n", book.title.c_str(), book.format.c_str(),
                    directionName(book.direction), book.pages.size(), panels,
                    a->order ? "; panels in estimated reading order" : "; panels as the file lists them");
        for (const Page &page : book.pages)
            printPage(page, book, a->order);
    }
    if (a->order && ordered)
        std::printf("reading order: %d of %d pages with two or more panels in full agreement with the file, mean "
                    "Kendall tau %.3f\n",
                    agreement.fullAgreement, agreement.pages, agreement.meanTau);
    else if (a->order)
        std::printf("reading order: the file does not give one to compare with\n");
    return kOk;
}

} // namespace sculpt::cli
