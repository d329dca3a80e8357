#pragma once
// GPT-2's byte-level text handling, shared by every byte-level BPE tokenizer: the split of
// text into words by GPT-2's pre-tokenizer regex, and the printable character each byte is
// spelled with in the vocabulary, so that no byte is ever unknown.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sculpt {

// The matches, in order, of
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// over `text` as UTF-8. They cover the text exactly; a byte that is not valid UTF-8 counts as
// a character of its own, neither letter, number nor space.
std::vector<std::string_view> splitGpt2Words(std::string_view text);

// The UTF-8 spelling of each byte's vocabulary character: printable Latin-1 bytes stand for
// themselves, the others for U+0100 onwards in byte order (bytes_to_unicode in encoder.py).
const std::array<std::string, 256> &byteSymbols();

// The byte that the character `c` spells, if it is one of byteSymbols().
std::optional<unsigned char> symbolByte(char32_t c);

// The code point starting at `at` and its length in bytes; an invalid sequence is its first
// byte alone, returned as nothing.
struct CodePoint {
    std::optional<char32_t> value;
    size_t length;
};
CodePoint decodeUtf8(std::string_view text, size_t at);

} // namespace sculpt
