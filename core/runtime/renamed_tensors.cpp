#include "runtime/renamed_tensors.h"

#include "io/checkpoint.h"
#include "io/error.h"

#include <regex>

namespace sculpt {

RenamedTensors::RenamedTensors(const Checkpoint &checkpoint,
                               const std::vector<std::pair<std::string, std::string>> &renames)
    : renamed_(!renames.empty())
{
    std::vector<std::pair<std::regex, std::string>> compiled;
    for (const auto &[pattern, replacement] : renames)
        compiled.emplace_back(std::regex(pattern), replacement);
    for (const TensorInfo &t : checkpoint.tensors()) {
        std::string name = t.name;
        for (const auto &[pattern, replacement] : compiled)
            name = std::regex_replace(name, pattern, replacement);
        if (const auto [it, added] = byName_.emplace(name, &t); !added)
            throw FileError(checkpoint.path(), "the renames map both " + it->second->name + " and " + t.name + " to " + name);
    }
}

const TensorInfo *RenamedTensors::find(const std::string &name) const
{
    const auto it = byName_.find(name);
    return it == byName_.end() ? nullptr : it->second;
}

} // namespace sculpt
