#pragma once
// Text given as data — evaluation text, calibration text — and the documents in it.
// Torch-free.

#include <string>
#include <string_view>
#include <vector>

namespace sculpt {

// The documents of a text: the pieces between blank lines ("\n\n"), stripped of surrounding
// whitespace, empty ones dropped.
std::vector<std::string_view> splitDocuments(std::string_view text);

// The whole file, once it is known to be text with something in it. Throws FileError naming
// the file and the reason: not a regular file (a FIFO would block), empty, not UTF-8 (the
// offset of the first bad byte: a binary given as text would be scored as nonsense), or no
// document (only whitespace).
std::string readTextFile(const std::string &path);

// The offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points
// past U+10FFFF included), or npos when all of `text` is UTF-8.
size_t firstNonUtf8(std::string_view text);

} // namespace sculpt
