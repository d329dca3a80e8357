#include "data/text.h"

#include "io/error.h"
#include "io/mapped_file.h"

#include <cstdio>

namespace sculpt {

std::vector<std::string_view> splitDocuments(std::string_view text)
{
    // The whitespace Python's str.strip() and C's isspace() agree on.
    constexpr std::string_view kSpace = " \t\n\r\f\v";
    std::vector<std::string_view> documents;
    while (!text.empty()) {
        const size_t end = text.find("\n\n");
        std::string_view document = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 2);
        const size_t first = document.find_first_not_of(kSpace);
        if (first == std::string_view::npos)
            continue;
        document = document.substr(first, document.find_last_not_of(kSpace) - first + 1);
        documents.push_back(document);
    }
    return documents;
}

size_t firstNonUtf8(std::string_view text)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(text.data());
    const size_t size = text.size();
    size_t i = 0;
    while (i < size) {
        const unsigned char lead = bytes[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        // The ranges of RFC 3629's table: the second byte's range depends on the lead.
        size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            low = lead == 0xE0 ? 0xA0 : 0x80;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (size - i < length || bytes[i + 1] < low || bytes[i + 1] > high)
            return i;
        for (size_t k = 2; k < length; ++k)
            if (bytes[i + k] < 0x80 || bytes[i + k] > 0xBF)
                return i;
        i += length;
    }
    return std::string_view::npos;
}

std::string readTextFile(const std::string &path)
{
    const auto file = MappedFile::open(path);
    if (file->size() == 0)
        throw FileError(path, "is empty; text with at least one document is needed");
    const std::string_view text(reinterpret_cast<const char *>(file->data()), file->size());
    if (const size_t bad = firstNonUtf8(text); bad != std::string_view::npos) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
        throw FileError(path, "is not UTF-8 text (byte " + std::string(byte) + " at offset " + std::to_string(bad) + ")");
    }
    if (splitDocuments(text).empty())
        throw FileError(path, "holds only whitespace; text with at least one document is needed");
    return std::string(text);
}

} // namespace sculpt
