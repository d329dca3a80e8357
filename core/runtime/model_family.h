#pragma once
// Which family runs a checkpoint, as FormatRegistry says which reader opens a file: each family
// says what it claims (its config's model_type, else its tensor names) and builds its Model.
// Torch inside: for runtime, compress and plugin .cpp files (model_kind.h is the torch-free
// question).

#include "runtime/model.h"
#include "runtime/model_kind.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

struct ModelFamily {
    std::string name; // "llama", "gpt2", "vit"
    ModelKind kind;
    std::function<bool(const Checkpoint &, const ModelOptions &)> claims;
    // Reads the config and copies the weights out as float32 onto `device`. Throws FileError for
    // a config the family does not run or weights that disagree with it.
    std::function<std::unique_ptr<Model>(const Checkpoint &, const ModelOptions &, torch::Device)> load;
};

// Every family, in the order they are asked.
const std::vector<ModelFamily> &modelFamilies();

// The model of the family that claims `checkpoint`. Throws FileError when none does.
std::unique_ptr<Model> loadModel(const Checkpoint &checkpoint, torch::Device device, const ModelOptions &options = {});

// The model of the family of `kind` that claims `checkpoint`, else of that kind's first family
// — whose config reader then says what it cannot run.
std::unique_ptr<Model> loadModel(const Checkpoint &checkpoint, ModelKind kind, torch::Device device,
                                 const ModelOptions &options = {});

// loadModel(checkpoint, ModelKind::Language, device) as the causal model it is.
std::unique_ptr<CausalModel> loadCausalModel(const Checkpoint &checkpoint, torch::Device device);

} // namespace sculpt
