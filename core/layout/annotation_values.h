#pragma once
// The checks every annotation reader applies to what its file claims — numbers finite and
// within reason, boxes the right way round, counts bounded — and where a page's image and size
// come from. Internal to sculpt_layout; each failure is a one-line FileError naming the file.

#include "layout/page.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sculpt::annotation {

// Far past any scan (Manga109's spreads are 1654 pixels wide) yet safe to square and sum.
inline constexpr double kMaxCoordinate = 1e6;
inline constexpr size_t kMaxBooks = 10'000;
inline constexpr size_t kMaxPages = 100'000;        // a book's
inline constexpr size_t kMaxBoxes = 10'000;         // a page's panels, texts and figures together
inline constexpr size_t kMaxPolygonPoints = 10'000; // an ACBF outline's
inline constexpr size_t kMaxFileBytes = 256ull << 20;

// `value` when finite and within ±kMaxCoordinate; `where` says what it is ("page 3's frame 2").
double coordinate(double value, const std::string &path, const std::string &where);

// The box from (x0, y0) to (x1, y1): coordinates checked, x0 ≤ x1 and y0 ≤ y1 required.
Box checkedBox(double x0, double y0, double x1, double y1, const std::string &path, const std::string &where);

// A decimal number written as text, all of `text` and nothing else, checked as coordinate().
double number(std::string_view text, const std::string &path, const std::string &where);

// "x,y x,y …" (ACBF's polygons): at least three points, at most kMaxPolygonPoints.
std::vector<Point> points(std::string_view text, const std::string &path, const std::string &where);

// Refuses more than `limit` of something (`what`: "pages in book X", "frames on page 3").
void checkCount(size_t count, size_t limit, const std::string &path, const std::string &what);

// The absolute path of the image a file beside it names as `name`, relative to `folder`;
// empty when there is no such file or `name` reaches outside `folder` (absolute, or through
// "..").
std::string imageIn(const std::filesystem::path &folder, std::string_view name);

// Sets the page's size from its image's header; with no image, or one whose header cannot be
// read, from the extent of its boxes (from the origin to their furthest right and bottom), so
// every page with a box still has a size to normalise by.
void sizeFromImage(Page &page);

} // namespace sculpt::annotation
