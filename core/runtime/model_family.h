#pragma once
// Loading a checkpoint's model through the family that claims it (model_kind.h: the claims,
// torch-free), as FormatRegistry says which reader opens a file. Torch inside: for runtime,
// compress and plugin .cpp files.

#include "runtime/model.h"
#include "runtime/model_kind.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

// Builds the model of the family `name` (a FamilyClaim's): reads the config and copies the
// weights out as float32 onto `device`. Throws FileError for a config the family does not run
// or weights that disagree with it.
std::unique_ptr<Model> loadFamily(const std::string &name, const Checkpoint &checkpoint, const ModelOptions &options,
                                  torch::Device device);

// The model of the family that claims `checkpoint`. Throws FileError when none does.
std::unique_ptr<Model> loadModel(const Checkpoint &checkpoint, torch::Device device, const ModelOptions &options = {});

// The model of the family of `kind` that claims `checkpoint`, else of that kind's first family
// — whose config reader then says what it cannot run.
std::unique_ptr<Model> loadModel(const Checkpoint &checkpoint, ModelKind kind, torch::Device device,
                                 const ModelOptions &options = {});

// loadModel(checkpoint, ModelKind::Language, device) as the causal model it is.
std::unique_ptr<CausalModel> loadCausalModel(const Checkpoint &checkpoint, torch::Device device);

} // namespace sculpt
