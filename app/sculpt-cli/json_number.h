#pragma once
// A measured number as every sculpt-cli command's JSON writes it: JSON has no spelling for NaN
// or infinity, so such a number is null.

#include <cmath>
#include <nlohmann/json.hpp>

namespace sculpt::cli {

inline nlohmann::ordered_json jsonNumber(double v)
{
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json();
}

} // namespace sculpt::cli
