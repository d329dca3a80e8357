#include "runtime/byte_level.h"

#include "runtime/unicode_classes.h"

#include <array>

namespace sculpt {
namespace {

std::string utf8(char32_t c)
{
    std::string out;
    if (c < 0x80) {
        out += char(c);
    } else if (c < 0x800) {
        out += char(0xC0 | (c >> 6));
        out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += char(0xE0 | (c >> 12));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    } else {
        out += char(0xF0 | (c >> 18));
        out += char(0x80 | ((c >> 12) & 0x3F));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    }
    return out;
}

// bytes_to_unicode's choice: the bytes that print as themselves in Latin-1.
bool printsAsItself(int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); }

std::array<char32_t, 256> makeByteCharacters()
{
    std::array<char32_t, 256> characters{};
    char32_t next = 0x100;
    for (int b = 0; b < 256; ++b)
        characters[size_t(b)] = printsAsItself(b) ? char32_t(b) : next++;
    return characters;
}

const std::array<char32_t, 256> &byteCharacters()
{
    static const std::array<char32_t, 256> characters = makeByteCharacters();
    return characters;
}

// Reads the text one character at a time, each with its class.
class Scanner {
public:
    explicit Scanner(std::string_view text) : text_(text) {}

    size_t size() const { return text_.size(); }
    // The class and the length of the character at `at` (< size()).
    std::pair<CharClass, size_t> at(size_t at) const
    {
        const CodePoint c = decodeUtf8(text_, at);
        return {c.value ? charClass(*c.value) : CharClass::Other, c.length};
    }
    // The end of the run of characters of class `cls` starting at `from`, and where the run's
    // last character starts.
    std::pair<size_t, size_t> run(size_t from, CharClass cls) const
    {
        size_t end = from, last = from;
        while (end < text_.size()) {
            const auto [c, length] = at(end);
            if (c != cls)
                break;
            last = end;
            end += length;
        }
        return {end, last};
    }
    bool contractionAt(size_t at, size_t &end) const
    {
        if (text_[at] != '\'')
            return false;
        for (const std::string_view suffix : {"s", "t", "re", "ve", "m", "ll", "d"})
            if (text_.substr(at + 1).starts_with(suffix)) {
                end = at + 1 + suffix.size();
                return true;
            }
        return false;
    }

private:
    std::string_view text_;
};

} // namespace

CodePoint decodeUtf8(std::string_view text, size_t at)
{
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80)
        return {lead, 1};
    size_t length = 0;
    char32_t value = 0, least = 0;
    if (lead >= 0xC2 && lead <= 0xDF)
        length = 2, value = lead & 0x1F, least = 0x80;
    else if (lead >= 0xE0 && lead <= 0xEF)
        length = 3, value = lead & 0x0F, least = 0x800;
    else if (lead >= 0xF0 && lead <= 0xF4)
        length = 4, value = lead & 0x07, least = 0x10000;
    else
        return {std::nullopt, 1};
    if (text.size() - at < length)
        return {std::nullopt, 1};
    for (size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80)
            return {std::nullopt, 1};
        value = (value << 6) | (byte(at + i) & 0x3F);
    }
    if (value < least || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return {std::nullopt, 1};
    return {value, length};
}

std::vector<std::string_view> splitGpt2Words(std::string_view text)
{
    const Scanner s(text);
    std::vector<std::string_view> words;
    size_t at = 0;
    while (at < s.size()) {
        size_t end = 0;
        if (s.contractionAt(at, end)) {
            words.push_back(text.substr(at, end - at));
            at = end;
            continue;
        }
        auto [cls, length] = s.at(at);
        size_t from = at;
        // " ?\p{L}+", " ?\p{N}+" and " ?[^\s\p{L}\p{N}]+": one plain space may lead a run.
        if (text[at] == ' ' && at + 1 < s.size())
            if (const auto next = s.at(at + 1).first; next != CharClass::Space)
                cls = next, from = at + 1;
        if (cls != CharClass::Space) {
            end = s.run(from, cls).first;
        } else {
            // "\s+(?!\S)" backs off one character so that the last space can lead the word
            // after it; "\s+" takes a lone space before a word, and the run at the end.
            const auto [runEnd, last] = s.run(at, CharClass::Space);
            end = runEnd < s.size() && last > at ? last : runEnd;
        }
        words.push_back(text.substr(at, end - at));
        at = end;
    }
    return words;
}

const std::array<std::string, 256> &byteSymbols()
{
    static const std::array<std::string, 256> symbols = [] {
        std::array<std::string, 256> out;
        for (size_t b = 0; b < 256; ++b)
            out[b] = utf8(byteCharacters()[b]);
        return out;
    }();
    return symbols;
}

std::optional<unsigned char> symbolByte(char32_t c)
{
    // The characters run from U+0021 to U+0143, the last of the 68 shifted bytes.
    static const std::array<int, 0x144> bytes = [] {
        std::array<int, 0x144> out;
        out.fill(-1);
        for (size_t b = 0; b < 256; ++b)
            out[byteCharacters()[b]] = int(b);
        return out;
    }();
    if (c >= bytes.size() || bytes[c] < 0)
        return std::nullopt;
    return static_cast<unsigned char>(bytes[c]);
}

} // namespace sculpt
