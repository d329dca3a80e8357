#pragma once
// Reads page layouts from Manga109 XML, OpenMantra's annotation.json and ACBF, recognised by
// content, not by name. Torch-free and Qt-free.

#include "layout/page.h"

#include <string>
#include <vector>

namespace sculpt {

// The books of `path`: one annotation file, or a folder — every annotation file in it, and in
// its `annotations` subfolder (Manga109's layout), in name order. A page's size comes from the
// file, or from its image's header where the file gives none (OpenMantra, ACBF). Throws
// FileError in one line for a file of none of the three formats, a malformed one, boxes
// outside reason (negative size, not finite), or a folder with no annotation file.
std::vector<LayoutBook> readLayouts(const std::string &path);

} // namespace sculpt
