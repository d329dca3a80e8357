#pragma once
// Reads page layouts from Manga109 XML, OpenMantra's annotation.json and ACBF, recognised by
// content, not by name. Torch-free and Qt-free.

#include "layout/page.h"

#include <string>
#include <vector>

namespace sculpt {

// The books of `path`: one annotation file, or a folder — every annotation file in it, and in
// its `annotations` subfolder (Manga109's layout), in name order. A page's size comes from the
// file, or from its image's header where the file gives none (OpenMantra, ACBF; with no
// readable image, from the extent of its boxes). Throws FileError in one line for a file of
// none of the three formats, a malformed one, boxes outside reason (negative size, not finite,
// beyond ±1e6 pixels), counts past annotation_values.h's limits, a file over 256 MiB, or a
// folder with no annotation file. In a folder, files of no format (licences, images) are
// passed over, but a malformed XML or JSON file is refused: what it was meant to be cannot be
// told.
std::vector<LayoutBook> readLayouts(const std::string &path);

} // namespace sculpt
