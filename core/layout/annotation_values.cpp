#include "layout/annotation_values.h"

#include "data/rgb_image.h"
#include "io/error.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace sculpt::annotation {

double coordinate(double value, const std::string &path, const std::string &where)
{
    if (!std::isfinite(value) || std::abs(value) > kMaxCoordinate)
        throw FileError(path, where + " has a coordinate outside ±1e6 pixels or not finite");
    return value;
}

Box checkedBox(double x0, double y0, double x1, double y1, const std::string &path, const std::string &where)
{
    const Box box{coordinate(x0, path, where), coordinate(y0, path, where), coordinate(x1, path, where),
                  coordinate(y1, path, where)};
    if (box.width() < 0 || box.height() < 0)
        throw FileError(path, where + " has a negative width or height");
    return box;
}

double number(std::string_view text, const std::string &path, const std::string &where)
{
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty())
        throw FileError(path, where + " has \"" + std::string(text.substr(0, 40)) + "\" where a number belongs");
    return coordinate(value, path, where);
}

std::vector<Point> points(std::string_view text, const std::string &path, const std::string &where)
{
    std::vector<Point> outline;
    size_t at = 0;
    while (true) {
        at = text.find_first_not_of(" \t\r\n", at);
        if (at == std::string_view::npos)
            break;
        const size_t end = std::min(text.find_first_of(" \t\r\n", at), text.size());
        const std::string_view pair = text.substr(at, end - at);
        const size_t comma = pair.find(',');
        if (comma == std::string_view::npos)
            throw FileError(path, where + " has a point without a comma in its points");
        checkCount(outline.size() + 1, kMaxPolygonPoints, path, "points in " + where);
        outline.push_back({number(pair.substr(0, comma), path, where), number(pair.substr(comma + 1), path, where)});
        at = end;
    }
    if (outline.size() < 3)
        throw FileError(path, where + " has fewer than three points");
    return outline;
}

void checkCount(size_t count, size_t limit, const std::string &path, const std::string &what)
{
    if (count > limit)
        throw FileError(path, "more than " + std::to_string(limit) + " " + what + ": not an annotation file Sculpt reads");
}

std::string imageIn(const std::filesystem::path &folder, std::string_view name)
{
    const std::filesystem::path relative(name);
    if (name.empty() || relative.is_absolute() ||
        std::any_of(relative.begin(), relative.end(), [](const auto &part) { return part == ".."; }))
        return {};
    std::error_code error;
    const std::filesystem::path image = std::filesystem::absolute(folder / relative, error);
    return !error && std::filesystem::is_regular_file(image, error) ? image.lexically_normal().string() : std::string();
}

void sizeFromImage(Page &page)
{
    if (!page.image.empty()) {
        try {
            const ImageSize size = readImageSize(page.image);
            page.width = double(size.width);
            page.height = double(size.height);
            return;
        } catch (const FileError &) {
            // A damaged scan leaves its layout readable: the boxes' extent serves below.
        }
    }
    page.width = page.height = 0;
    const auto extend = [&](const Box &box) {
        page.width = std::max(page.width, box.x1);
        page.height = std::max(page.height, box.y1);
    };
    for (const Panel &panel : page.panels)
        extend(panel.box);
    for (const TextArea &text : page.texts)
        extend(text.box);
}

} // namespace sculpt::annotation
