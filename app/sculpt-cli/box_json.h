#pragma once
// A box as every sculpt-cli command's JSON writes it.

#include "layout/page.h"

#include <nlohmann/json.hpp>

namespace sculpt::cli {

inline nlohmann::ordered_json boxJson(const Box &box)
{
    return {{"x0", box.x0}, {"y0", box.y0}, {"x1", box.x1}, {"y1", box.y1}};
}

} // namespace sculpt::cli
