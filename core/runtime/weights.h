#pragma once
// Where a model's tensors come from while a family builds it: a checkpoint — each tensor
// checked against the shape the config implies — or fresh values for training from scratch.
// One constructor per family serves both, so a trained model is the runtime's own model.
// Torch inside: for runtime .cpp files.

#include "runtime/linear.h"
#include "runtime/renamed_tensors.h"

#include <torch/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

class Checkpoint;
struct TensorInfo;

// How a fresh model starts a tensor.
struct Init {
    enum class Kind { Normal, Ones, Zeros } kind = Kind::Zeros;
    double std = 0;
    static Init normal(double std) { return {Kind::Normal, std}; }
    // How transformers starts a weight: N(0, initializer_range).
    static constexpr double kInitializerRange = 0.02;
    static Init weight() { return normal(kInitializerRange); }
    static Init ones() { return {Kind::Ones, 0}; }
    static Init zeros() { return {Kind::Zeros, 0}; }
};

class WeightSource {
public:
    explicit WeightSource(torch::Device device) : device_(device) {}
    virtual ~WeightSource() = default;
    torch::Device device() const { return device_; }

    // The tensor `name` of `shape`, float32 on the device; `fresh` says how a new model starts it.
    virtual torch::Tensor tensor(const std::string &name, const std::vector<int64_t> &shape, const Init &fresh) const = 0;
    // Whether a tensor the config leaves optional (a bias) is there. A fresh model has none.
    virtual bool has(const std::string &name) const = 0;
    // The factors A [out, r] and B [r, in] of projection `name` when it is stored as
    // name.weight_a and name.weight_b instead of name.weight; nothing otherwise.
    virtual std::optional<Linear::Factors> factors(const std::string &name, int64_t out, int64_t in) const = 0;

    // The checkpoint `name` comes from, if any: for a family that reads a tensor stored in
    // either of two layouts (ViT's patch embedding) and must ask which.
    virtual const class CheckpointWeights *checkpointOf(const std::string &name) const = 0;
    // The projection `name` [out, in] with its bias when `bias`, low-rank when stored as factors.
    Linear linear(const std::string &name, int64_t out, int64_t in, bool bias, const Init &fresh) const;

private:
    torch::Device device_;
};

// The tensors of a checkpoint, looked up by their stored names after `renames` — regular
// expression substitutions applied in order (a sidecar config's). Throws FileError naming the
// tensor and both shapes when one is missing or not the shape asked for.
class CheckpointWeights : public WeightSource {
public:
    CheckpointWeights(const Checkpoint &checkpoint, torch::Device device,
                      const std::vector<std::pair<std::string, std::string>> &renames = {});

    torch::Tensor tensor(const std::string &name, const std::vector<int64_t> &shape, const Init &fresh) const override;
    bool has(const std::string &name) const override { return find(name) != nullptr; }
    std::optional<Linear::Factors> factors(const std::string &name, int64_t out, int64_t in) const override;

    const TensorInfo *find(const std::string &name) const { return tensors_.find(name); }
    const CheckpointWeights *checkpointOf(const std::string &) const override { return this; }
    const Checkpoint &checkpoint() const { return checkpoint_; }

private:
    const Checkpoint &checkpoint_;
    RenamedTensors tensors_;
};

// New tensors: drawn from torch's generator in the order the family asks for them, so a
// seed set with torch::manual_seed gives the same model every time.
class FreshWeights : public WeightSource {
public:
    using WeightSource::WeightSource;
    torch::Tensor tensor(const std::string &name, const std::vector<int64_t> &shape, const Init &fresh) const override;
    bool has(const std::string &) const override { return false; }
    std::optional<Linear::Factors> factors(const std::string &, int64_t, int64_t) const override { return std::nullopt; }
    const CheckpointWeights *checkpointOf(const std::string &) const override { return nullptr; }
};

} // namespace sculpt
