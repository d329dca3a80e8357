#pragma once
// The three annotation formats behind readLayouts (layout_reader.cpp), each given its parsed
// document and the path it came from (for errors and the images beside it). Internal to
// sculpt_layout.

#include "layout/page.h"
#include "layout/xml_reading.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sculpt {

// Manga109's XML: the root `book`.
LayoutBook readManga109(const XmlElement &book, const std::string &path);

// ACBF: the root `ACBF`.
LayoutBook readAcbf(const XmlElement &acbf, const std::string &path);

// OpenMantra's annotation.json: an array of books.
std::vector<LayoutBook> readOpenMantra(const nlohmann::json &books, const std::string &path);

} // namespace sculpt
