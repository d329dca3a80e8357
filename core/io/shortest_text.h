// A number as the shortest text that reads back as the same value: a float setting or a
// checkpoint's metadata survives the trip through a command line or a listing unchanged.
#pragma once

#include <charconv>
#include <string>

namespace sculpt {

template <typename T> std::string shortestText(T value)
{
    char text[64];
    return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
}

} // namespace sculpt
