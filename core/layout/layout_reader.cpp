// Which format a file is, told by its content, and the walk over a folder of them.

#include "layout/layout_reader.h"

#include "layout/annotation_values.h"
#include "layout/layout_formats.h"
#include "layout/xml_reading.h"

#include "io/error.h"
#include "io/json_text.h"
#include "io/mapped_file.h"

#include <algorithm>
#include <filesystem>
#include <optional>

namespace sculpt {
namespace {

constexpr const char *kFormats = "Manga109, OpenMantra or ACBF";

// The text from its first significant byte: past a UTF-8 byte order mark and white space.
std::string_view significant(std::string_view text)
{
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    const size_t start = text.find_first_not_of(" \t\r\n");
    return start == std::string_view::npos ? std::string_view() : text.substr(start);
}

bool isOpenMantra(const nlohmann::json &document)
{
    return document.is_array() && !document.empty() && document[0].is_object() && document[0].contains("book_title") &&
           document[0].contains("pages");
}

// The books of one file. A file of none of the formats is refused, or, `inFolder`, passed
// over (nullopt): a folder holds licences and images too. A file that starts as XML or JSON
// but is malformed is refused even in a folder, since what it was meant to be cannot be told.
std::optional<std::vector<LayoutBook>> readFile(const std::string &path, bool inFolder)
{
    const auto file = MappedFile::open(path);
    if (file->size() > annotation::kMaxFileBytes)
        throw FileError(path, "larger than 256 MiB: not a " + std::string(kFormats) + " file Sculpt reads");
    const std::string_view text(reinterpret_cast<const char *>(file->data()), file->size());
    const std::string_view start = significant(text);
    const auto refuse = [&](const std::string &what) -> std::optional<std::vector<LayoutBook>> {
        if (inFolder)
            return std::nullopt;
        throw FileError(path, what + ": not a " + kFormats + " annotation file");
    };
    if (start.starts_with('<')) {
        const std::string root = xmlRootName(text);
        if (root == "book")
            return std::vector{readManga109(parseXml(text, path), path)};
        if (root == "ACBF")
            return std::vector{readAcbf(parseXml(text, path), path)};
        if (root.empty())
            parseXml(text, path); // throws, saying where the XML breaks
        return refuse("XML whose root is <" + root + ">");
    }
    if (start.starts_with('[') || start.starts_with('{')) {
        // OpenMantra's 214 pages take about 25,000 values; its nesting is six deep.
        const nlohmann::json document = parseJson(text, path, "annotation", JsonLimits{20'000'000, 8});
        if (isOpenMantra(document))
            return readOpenMantra(document, path);
        return refuse("JSON, but not a list of books with \"book_title\" and \"pages\"");
    }
    return refuse("neither XML nor JSON");
}

// The files of `folder` and of its `annotations` subfolder, in name order.
std::vector<std::string> filesOf(const std::filesystem::path &folder)
{
    constexpr size_t kMaxFiles = 100'000;
    std::vector<std::string> files;
    for (const std::filesystem::path &dir : {folder, folder / "annotations"}) {
        std::error_code error;
        if (!std::filesystem::is_directory(dir, error))
            continue;
        for (auto entry = std::filesystem::directory_iterator(dir, error);
             !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
            if (!entry->is_regular_file(error))
                continue;
            files.push_back(entry->path().string());
            annotation::checkCount(files.size(), kMaxFiles, folder.string(), "files in the folder");
        }
        if (error)
            throw FileError(dir.string(), "cannot list the folder: " + error.message());
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

std::vector<LayoutBook> readLayouts(const std::string &path)
{
    std::error_code error;
    std::vector<LayoutBook> books;
    const bool folder = std::filesystem::is_directory(path, error);
    for (const std::string &file : folder ? filesOf(path) : std::vector<std::string>{path})
        if (std::optional<std::vector<LayoutBook>> read = readFile(file, folder))
            for (LayoutBook &book : *read) {
                book.file = file;
                books.push_back(std::move(book));
            }
    if (folder && books.empty())
        throw FileError(path, std::string("a folder with no ") + kFormats + " annotation file (nor in its annotations subfolder)");
    return books;
}

} // namespace sculpt
