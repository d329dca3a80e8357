#pragma once
// XML annotation files (Manga109, ACBF) as a tree of elements, read with expat from a file
// Sculpt does not trust: bounded in elements and depth, malformed or truncated text refused in
// one line. Internal to sculpt_layout.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sculpt {

struct XmlElement {
    std::string name; // the local name: ACBF's namespace is dropped, the readers know it
    std::vector<std::pair<std::string, std::string>> attributes;
    // In document order: child elements, and text (name empty, its characters in `text`).
    std::vector<XmlElement> children;
    std::string text;

    // The attribute's value, or nullptr when the element has none of that name.
    const std::string *attribute(std::string_view key) const;
    // Every character inside the element, its children's included, in document order.
    std::string innerText() const;
};

// What a document may hold before it is refused: elements, attributes and runs of text count
// one each, so memory stays within a few hundred MiB whatever the file packs into its bytes (a
// real Manga109 book holds about 100,000; ACBF's sample about 10,000).
inline constexpr size_t kMaxXmlNodes = 2'000'000;
inline constexpr int kMaxXmlDepth = 64;

// The root element of `text`, the contents of `path` (named in errors). Throws FileError in
// one line for malformed or truncated XML (with expat's line number), or past the limits.
XmlElement parseXml(std::string_view text, const std::string &path);

// The root element's local name, read only as far as its start tag (so a folder's other files
// cost little); empty when `text` has no well-formed start up to it.
std::string xmlRootName(std::string_view text);

} // namespace sculpt
