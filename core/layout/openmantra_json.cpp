// OpenMantra's annotation.json: [{book_title, pages: [{page_index, image_paths: {ja},
// frame: [{x, y, w, h}], text: [{x, y, w, h, text_ja, text_en, text_zh}]}]}], the images named
// relative to the file's folder. Each page's frames are listed in reading order.

#include "layout/annotation_values.h"
#include "layout/layout_formats.h"

#include "io/error.h"

#include <filesystem>

namespace sculpt {
namespace {

using nlohmann::json;

const json &member(const json &object, const char *key, const std::string &path, const std::string &where)
{
    const auto found = object.find(key);
    if (found == object.end())
        throw FileError(path, where + " has no \"" + key + "\"");
    return *found;
}

const json &array(const json &value, const std::string &path, const std::string &what)
{
    if (!value.is_array())
        throw FileError(path, what + " is not a list");
    return value;
}

// A page's "frame" or "text" list; an absent one is empty.
const json &optionalList(const json &page, const char *key, const std::string &path, const std::string &where)
{
    static const json none = json::array();
    const auto found = page.find(key);
    return found == page.end() ? none : array(*found, path, where + "'s \"" + key + "\"");
}

Box boxOf(const json &box, const std::string &path, const std::string &where)
{
    if (!box.is_object())
        throw FileError(path, where + " is not an object");
    double v[4];
    const char *keys[4] = {"x", "y", "w", "h"};
    for (int i = 0; i < 4; ++i) {
        const json &value = member(box, keys[i], path, where);
        if (!value.is_number())
            throw FileError(path, where + "'s \"" + keys[i] + "\" is not a number");
        v[i] = annotation::coordinate(value.get<double>(), path, where);
    }
    return annotation::checkedBox(v[0], v[1], v[0] + v[2], v[1] + v[3], path, where);
}

// A text box's "text_<language>" strings, the original Japanese first.
std::vector<LanguageText> textsOf(const json &text, const std::string &path, const std::string &where)
{
    std::vector<LanguageText> texts;
    for (const auto &[key, value] : text.items()) {
        if (key.rfind("text_", 0) != 0)
            continue;
        if (!value.is_string())
            throw FileError(path, where + "'s \"" + key + "\" is not a string");
        LanguageText t{key.substr(5), value.get<std::string>()};
        if (t.language == "ja")
            texts.insert(texts.begin(), std::move(t));
        else
            texts.push_back(std::move(t));
    }
    return texts;
}

Page readPage(const json &entry, const std::string &where, const std::filesystem::path &folder, const std::string &path)
{
    if (!entry.is_object())
        throw FileError(path, where + " is not an object");
    Page page;
    const json &index = member(entry, "page_index", path, where);
    if (!index.is_number_integer() || index.get<int64_t>() < 0 || index.get<int64_t>() > int64_t(annotation::kMaxPages))
        throw FileError(path, where + "'s \"page_index\" is not a whole number from 0 to 100000");
    page.index = index.get<int>();
    const auto images = entry.find("image_paths");
    if (images != entry.end() && images->is_object() && images->contains("ja") && (*images)["ja"].is_string())
        page.image = annotation::imageIn(folder, (*images)["ja"].get<std::string>());
    const json &frames = optionalList(entry, "frame", path, where);
    const json &texts = optionalList(entry, "text", path, where);
    annotation::checkCount(frames.size() + texts.size(), annotation::kMaxBoxes, path, "frames and texts on " + where);
    for (size_t i = 0; i < frames.size(); ++i)
        page.panels.push_back({boxOf(frames[i], path, where + "'s frame " + std::to_string(i)), {}});
    for (size_t i = 0; i < texts.size(); ++i) {
        const std::string what = where + "'s text " + std::to_string(i);
        page.texts.push_back({boxOf(texts[i], path, what), {}, textsOf(texts[i], path, what)});
    }
    annotation::sizeFromImage(page);
    return page;
}

} // namespace

std::vector<LayoutBook> readOpenMantra(const json &books, const std::string &path)
{
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    annotation::checkCount(array(books, path, "the document").size(), annotation::kMaxBooks, path, "books");
    std::vector<LayoutBook> layouts;
    for (size_t b = 0; b < books.size(); ++b) {
        const json &entry = books[b];
        const std::string where = "book " + std::to_string(b);
        if (!entry.is_object())
            throw FileError(path, where + " is not an object");
        const json &title = member(entry, "book_title", path, where);
        if (!title.is_string())
            throw FileError(path, where + "'s \"book_title\" is not a string");
        LayoutBook book;
        book.title = title.get<std::string>();
        book.format = "OpenMantra";
        book.direction = ReadingDirection::RightToLeft;
        book.panelsInReadingOrder = true;
        const json &pages = array(member(entry, "pages", path, where), path, where + "'s \"pages\"");
        annotation::checkCount(pages.size(), annotation::kMaxPages, path, "pages in " + where);
        for (size_t p = 0; p < pages.size(); ++p)
            book.pages.push_back(readPage(pages[p], where + "'s page " + std::to_string(p), folder, path));
        layouts.push_back(std::move(book));
    }
    return layouts;
}

} // namespace sculpt
