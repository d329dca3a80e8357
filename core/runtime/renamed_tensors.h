#pragma once
// A checkpoint's tensors under the names a family's config looks them up by: each stored name
// with the config's regular-expression renames (a sidecar's "rename") applied in order. What
// the runtime builds a model from and what the head spectra slice go by the same names.

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sculpt {

class Checkpoint;
struct TensorInfo;

class RenamedTensors {
public:
    // Throws FileError when the renames map two stored tensors to one name.
    RenamedTensors(const Checkpoint &checkpoint, const std::vector<std::pair<std::string, std::string>> &renames);

    // The stored tensor the config calls `name`, or nullptr.
    const TensorInfo *find(const std::string &name) const;
    bool renamed() const { return renamed_; }

private:
    bool renamed_;
    std::unordered_map<std::string, const TensorInfo *> byName_;
};

} // namespace sculpt
