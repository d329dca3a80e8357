#include "runtime/fortunes.h"

#include "io/error.h"
#include "io/mapped_file.h"

#include <algorithm>
#include <filesystem>
#include <string_view>
#include <unordered_set>

namespace sculpt {
namespace {

namespace fs = std::filesystem;

// isspace's set, which is also what the perplexity protocol strips around a document.
constexpr std::string_view kSpace = " \t\n\r\f\v";

std::string_view trimEnd(std::string_view s)
{
    const size_t last = s.find_last_not_of(kSpace);
    return last == std::string_view::npos ? std::string_view() : s.substr(0, last + 1);
}

// One fortune's lines as a document; empty when it has no text.
std::string document(const std::vector<std::string_view> &lines)
{
    std::string text;
    for (const std::string_view line : lines) {
        const std::string_view kept = trimEnd(line);
        if (kept.empty())
            continue;
        if (!text.empty())
            text += '\n';
        text += kept;
    }
    const size_t first = text.find_first_not_of(kSpace);
    return first == std::string::npos ? std::string() : text.substr(first);
}

std::vector<std::string> fortunesOf(std::string_view text)
{
    std::vector<std::string> fortunes;
    std::vector<std::string_view> lines;
    const auto finish = [&] {
        if (std::string d = document(lines); !d.empty())
            fortunes.push_back(std::move(d));
        lines.clear();
    };
    while (!text.empty()) {
        const size_t end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (trimEnd(line) == "%")
            finish();
        else
            lines.push_back(line);
    }
    finish();
    return fortunes;
}

} // namespace

FortuneCorpus readFortunes(const std::string &directory)
{
    FortuneCorpus corpus;
    std::error_code error;
    for (const fs::directory_entry &entry : fs::directory_iterator(directory, error)) {
        const fs::path &path = entry.path();
        if (path.extension() != ".dat" || path.stem() == "ascii-art")
            continue;
        const fs::path text = fs::path(path).replace_extension();
        if (fs::is_regular_file(text))
            corpus.files.push_back(text.filename().string());
    }
    if (error)
        throw FileError(directory, error.message());
    std::ranges::sort(corpus.files);

    std::unordered_set<std::string> seen;
    size_t index = 0;
    for (const std::string &name : corpus.files) {
        const auto file = MappedFile::open((fs::path(directory) / name).string());
        for (std::string &fortune : fortunesOf({reinterpret_cast<const char *>(file->data()), file->size()})) {
            if (!seen.insert(fortune).second)
                continue;
            (index++ % kHeldOutEvery == kHeldOutEvery - 1 ? corpus.heldOut : corpus.train).push_back(std::move(fortune));
        }
    }
    if (corpus.train.empty() || corpus.heldOut.empty())
        throw FileError(directory, "holds too few fortunes (Debian's fortunes package installs them)");
    return corpus;
}

std::string documentsText(std::span<const std::string> documents)
{
    std::string text;
    for (const std::string &d : documents) {
        if (!text.empty())
            text += "\n\n";
        text += d;
    }
    if (!text.empty())
        text += '\n';
    return text;
}

} // namespace sculpt
