#pragma once
// What a model reads and predicts, so front ends and passes can tell which models and which
// data go together without loading anything. Torch-free.

#include <optional>
#include <string>

namespace sculpt {

class Checkpoint;

enum class ModelKind { Language, Vision };

// What a front end can say about the model before loading it.
struct ModelOptions {
    std::string sidecar; // a vision model's sidecar config (README, "Running models"), or none
};

// The kind of model the family that claims `checkpoint` builds, from its config and tensor
// names alone; nothing when no family claims it.
std::optional<ModelKind> runnableKind(const Checkpoint &checkpoint, const ModelOptions &options = {});

// "language model", "vision model"
std::string kindName(ModelKind kind);

} // namespace sculpt
