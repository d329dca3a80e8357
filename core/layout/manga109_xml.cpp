// Manga109's annotation XML: <book title><characters/><pages><page index width height> with
// <frame>, <text>, <face> and <body> boxes (id, xmin, ymin, xmax, ymax); anything else a page
// holds (manga109api's tests add custom tags) is passed over.

#include "layout/annotation_values.h"
#include "layout/layout_formats.h"

#include "io/error.h"

#include <cstdio>
#include <filesystem>

namespace sculpt {
namespace {

double numberAttribute(const XmlElement &element, const char *key, const std::string &path, const std::string &where)
{
    const std::string *value = element.attribute(key);
    if (!value)
        throw FileError(path, where + " has no " + key);
    return annotation::number(*value, path, where);
}

Box boxOf(const XmlElement &element, const std::string &path, const std::string &where)
{
    return annotation::checkedBox(numberAttribute(element, "xmin", path, where),
                                  numberAttribute(element, "ymin", path, where),
                                  numberAttribute(element, "xmax", path, where),
                                  numberAttribute(element, "ymax", path, where), path, where);
}

// The data set keeps its scans as images/<book>/<index, three digits>.jpg beside the
// annotations folder, the book named as its file is.
std::string scanOf(const std::filesystem::path &annotation, int index)
{
    const std::filesystem::path folder = annotation.parent_path();
    if (folder.filename() != "annotations" || index < 0)
        return {};
    char name[32];
    std::snprintf(name, sizeof name, "%03d.jpg", index);
    return annotation::imageIn(folder.parent_path() / "images" / annotation.stem(), name);
}

Page readPage(const XmlElement &element, size_t position, const std::string &path)
{
    const std::string where = "page " + std::to_string(position);
    Page page;
    const double index = numberAttribute(element, "index", path, where);
    if (index != double(int(index)) || index < 0)
        throw FileError(path, where + " has an index that is not a whole number from 0");
    page.index = int(index);
    page.width = numberAttribute(element, "width", path, where);
    page.height = numberAttribute(element, "height", path, where);
    if (page.width <= 0 || page.height <= 0)
        throw FileError(path, where + " has no area (its width or height is not positive)");
    // Manga109 scans two facing pages as one landscape image.
    page.spread = page.width > page.height;
    page.image = scanOf(path, page.index);
    size_t boxes = 0;
    for (const XmlElement &child : element.children) {
        const bool figure = child.name == "face" || child.name == "body";
        if (child.name != "frame" && child.name != "text" && !figure)
            continue;
        annotation::checkCount(++boxes, annotation::kMaxBoxes, path, "boxes on " + where);
        const Box box = boxOf(child, path, where + "'s " + child.name + " " + std::to_string(boxes));
        if (child.name == "frame")
            page.panels.push_back({box, {}});
        else if (child.name == "text")
            page.texts.push_back({box, {}, {{"ja", child.innerText()}}});
        else
            page.figures.push_back({box, child.name});
    }
    return page;
}

} // namespace

LayoutBook readManga109(const XmlElement &book, const std::string &path)
{
    LayoutBook layouts;
    const std::string *title = book.attribute("title");
    layouts.title = title ? *title : std::filesystem::path(path).stem().string();
    layouts.format = "Manga109";
    layouts.direction = ReadingDirection::RightToLeft;
    layouts.panelsInReadingOrder = false;
    for (const XmlElement &pages : book.children) {
        if (pages.name != "pages")
            continue;
        for (const XmlElement &page : pages.children) {
            if (page.name != "page")
                continue;
            annotation::checkCount(layouts.pages.size() + 1, annotation::kMaxPages, path, "pages");
            layouts.pages.push_back(readPage(page, layouts.pages.size(), path));
        }
    }
    return layouts;
}

} // namespace sculpt
