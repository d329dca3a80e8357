#pragma once
// Names as one piece of text: "lora, bottleneck, lily" for a one-line error that lists what
// is registered, or one per line where a workspace attribute keeps them in order.

#include <string>
#include <vector>

namespace sculpt {

inline std::string joined(const std::vector<std::string> &names, const std::string &separator = ", ")
{
    std::string text;
    for (const std::string &n : names)
        text += (text.empty() ? "" : separator) + n;
    return text;
}

} // namespace sculpt
