#pragma once
// Debian's `fortunes` package as English documents for a language model: every fortune one
// document, split once into a training part and a fixed held-out part. Torch-free.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace sculpt {

inline constexpr const char *kFortunesDirectory = "/usr/share/games/fortunes";
// Fortune i of the deduplicated list (counting from 0) is held out when i % 20 == 19: 5 %,
// spread over every file.
inline constexpr size_t kHeldOutEvery = 20;

struct FortuneCorpus {
    std::vector<std::string> files; // the fortune files read, by name
    std::vector<std::string> train, heldOut;
};

// Reads the fortune files of `directory` — those with a strfile index (`NAME.dat`) beside
// them, in byte order of their names, without `ascii-art` (pictures, not text) — and cuts
// them at the lines holding only "%". Each fortune becomes a document: trailing spaces and
// blank lines dropped (so it stays one document under the perplexity protocol's blank-line
// split), surrounding whitespace stripped. A fortune that appears again (several files repeat
// some) is kept once, where it first appears, so none is both trained on and held out.
// Throws FileError when the folder cannot be read or holds no fortune.
FortuneCorpus readFortunes(const std::string &directory = kFortunesDirectory);

// The documents as one text that splitDocuments (data/text.h) cuts back into them:
// joined by blank lines, with a final newline.
std::string documentsText(std::span<const std::string> documents);

} // namespace sculpt
