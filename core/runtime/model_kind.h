#pragma once
// What a model reads and predicts, so front ends and passes can tell which models and which
// data go together without loading anything. Torch-free.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

// Layout: a model that generates page layouts (a manga page's panel boxes) rather than
// reading text or images.
enum class ModelKind { Language, Vision, Layout };

// What a front end can say about the model before loading it.
struct ModelOptions {
    std::string sidecar; // a vision model's sidecar config (README, "Running models"), or none
};

// Which family runs a checkpoint, decided from its config and tensor names alone (torch-free,
// so a front end can ask before anything loads); model_family.h pairs each with its loader.
struct FamilyClaim {
    std::string name; // "vit", "llama", "gpt2", "llava", "layout"
    ModelKind kind;
    std::function<bool(const Checkpoint &, const ModelOptions &)> claims;
    bool readsImages = false; // a language model whose prompts hold images (LLaVA's)
};

// Every family, in the order they are asked.
const std::vector<FamilyClaim> &familyClaims();
// The first family that claims `checkpoint`, or null.
const FamilyClaim *claimingFamily(const Checkpoint &checkpoint, const ModelOptions &options = {});

// The kind of model the family that claims `checkpoint` builds; nothing when none claims it.
std::optional<ModelKind> runnableKind(const Checkpoint &checkpoint, const ModelOptions &options = {});

// Whether the family that claims `checkpoint` reads images in its prompts.
bool readsImages(const Checkpoint &checkpoint, const ModelOptions &options = {});

// "language model", "vision model", "layout model"
std::string kindName(ModelKind kind);

} // namespace sculpt
