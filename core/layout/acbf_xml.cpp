// ACBF (Advanced Comic Book Format): <body><page><image href/><text-layer lang><text-area
// points><p>…</p></text-area></text-layer><frame points/></page></body>, polygons as
// "x,y x,y …" in the page image's pixels, frames listed in reading order.

#include "layout/annotation_values.h"
#include "layout/layout_formats.h"

#include "io/error.h"

#include <algorithm>
#include <filesystem>

namespace sculpt {
namespace {

const XmlElement *child(const XmlElement &element, std::string_view name)
{
    for (const XmlElement &c : element.children)
        if (c.name == name)
            return &c;
    return nullptr;
}

// The attribute's value; empty when the element has none.
std::string attributeOf(const XmlElement &element, std::string_view key)
{
    const std::string *value = element.attribute(key);
    return value ? *value : std::string();
}

// A text area's paragraphs, one a line, each with its runs of white space (the file's own line
// breaks and indentation) made single spaces, as a renderer would lay them out.
std::string paragraphText(const XmlElement &area)
{
    const auto collapsed = [](const std::string &text) {
        std::string out;
        for (const char c : text) {
            const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
            if (!space)
                out += c;
            else if (!out.empty() && out.back() != ' ')
                out += ' ';
        }
        if (!out.empty() && out.back() == ' ')
            out.pop_back();
        return out;
    };
    std::string text;
    for (const XmlElement &p : area.children)
        if (p.name == "p")
            text += (text.empty() ? "" : "\n") + collapsed(p.innerText());
    return text.empty() ? collapsed(area.innerText()) : text;
}

bool samePoints(const std::vector<Point> &a, const std::vector<Point> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const Point &p, const Point &q) { return p.x == q.x && p.y == q.y; });
}

// One balloon lettered in several languages is one text area drawn once in each text layer:
// an area joins the earlier one with the same points that has no text in its language yet.
void addText(Page &page, std::vector<Point> outline, LanguageText text)
{
    for (TextArea &area : page.texts) {
        const bool hasLanguage = std::any_of(area.texts.begin(), area.texts.end(),
                                             [&](const LanguageText &t) { return t.language == text.language; });
        if (!hasLanguage && samePoints(area.outline, outline)) {
            area.texts.push_back(std::move(text));
            return;
        }
    }
    const Box box = boundsOf(outline);
    page.texts.push_back({box, std::move(outline), {std::move(text)}});
}

Page readPage(const XmlElement &element, int index, const std::filesystem::path &folder, const std::string &path)
{
    const std::string where = index == 0 ? std::string("the cover page") : "page " + std::to_string(index);
    Page page;
    page.index = index;
    if (const XmlElement *image = child(element, "image"))
        page.image = annotation::imageIn(folder, attributeOf(*image, "href"));
    size_t frames = 0, areas = 0;
    // `e`'s polygon, named in errors as the page's `number`th of its kind.
    const auto outlineOf = [&](const XmlElement &e, size_t number) {
        annotation::checkCount(frames + areas, annotation::kMaxBoxes, path, "frames and text areas on " + where);
        const std::string *points = e.attribute("points");
        const std::string what = where + "'s " + e.name + " " + std::to_string(number);
        if (!points)
            throw FileError(path, what + " has no points");
        return annotation::points(*points, path, what);
    };
    for (const XmlElement &part : element.children) {
        if (part.name == "frame") {
            std::vector<Point> outline = outlineOf(part, ++frames);
            page.panels.push_back({boundsOf(outline), std::move(outline)});
        } else if (part.name == "text-layer") {
            const std::string language = attributeOf(part, "lang");
            for (const XmlElement &area : part.children)
                if (area.name == "text-area")
                    addText(page, outlineOf(area, ++areas), {language, paragraphText(area)});
        }
    }
    annotation::sizeFromImage(page);
    return page;
}

// The language the book was lettered in: the first text layer <languages> lists (ACBF marks it
// show="false", its letters being in the images already); empty when none is listed.
std::string originalLanguage(const XmlElement *bookInfo)
{
    const XmlElement *languages = bookInfo ? child(*bookInfo, "languages") : nullptr;
    const XmlElement *first = languages ? child(*languages, "text-layer") : nullptr;
    return first ? attributeOf(*first, "lang") : std::string();
}

std::string titleOf(const XmlElement *bookInfo, const std::string &path)
{
    const std::string language = originalLanguage(bookInfo);
    const XmlElement *chosen = nullptr;
    if (bookInfo)
        for (const XmlElement &c : bookInfo->children)
            if (c.name == "book-title" && (!chosen || attributeOf(c, "lang") == language))
                chosen = &c;
    return chosen ? chosen->innerText() : std::filesystem::path(path).stem().string();
}

} // namespace

LayoutBook readAcbf(const XmlElement &acbf, const std::string &path)
{
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    const XmlElement *meta = child(acbf, "meta-data");
    const XmlElement *bookInfo = meta ? child(*meta, "book-info") : nullptr;
    LayoutBook book;
    book.title = titleOf(bookInfo, path);
    book.format = "ACBF";
    // ACBF 1.1 names no reading direction: its books are western comics.
    book.direction = ReadingDirection::LeftToRight;
    book.panelsInReadingOrder = true;
    // The cover is a layout only when it is drawn in panels; most covers are one picture.
    const XmlElement *cover = bookInfo ? child(*bookInfo, "coverpage") : nullptr;
    if (cover && child(*cover, "frame"))
        book.pages.push_back(readPage(*cover, 0, folder, path));
    const XmlElement *body = child(acbf, "body");
    if (!body)
        throw FileError(path, "an ACBF file without a <body>");
    int number = 0; // the body's pages count from 1, after the cover's 0
    for (const XmlElement &page : body->children) {
        if (page.name != "page")
            continue;
        annotation::checkCount(book.pages.size() + 1, annotation::kMaxPages, path, "pages");
        book.pages.push_back(readPage(page, ++number, folder, path));
    }
    return book;
}

} // namespace sculpt
