#pragma once
// Which tensors a parameter-efficient run trains: new adapters attached to a model, its
// classifier, or all of it. Torch inside: for adapt and plugin .cpp files only.

#include "runtime/model.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace sculpt {

struct AdapterSpec {
    std::string kind = "lora";                // a registered adapter kind (adapt/adapter_kinds.h)
    int64_t rank = 8;                         // LoRA's and Lily's r, the bottleneck's width
    double alpha = 16;                        // LoRA's and Lily's α (scale α/r)
    // The linear sites LoRA adapts, by role; a fused q/k/v projection gets one LoRA per role
    // of q, k and v listed here, on that role's rows.
    std::vector<std::string> roles{"q", "v"};
    double scale = 0.1;                       // the bottleneck's output scale (AdaptFormer's s)
    int64_t experts = 4;                      // Lily's model-wide experts per role
};

// Attaches new adapters of spec.kind (from torch's generator: seed it first) and returns their
// tensors, each once. Throws std::invalid_argument for an unknown kind, a rank below 1, a
// model with no site of the roles, or bottlenecks on a family without block sites.
std::vector<torch::Tensor> attachAdapters(Model &model, const AdapterSpec &spec);

// The tensors of every adapter the model holds, each once however many positions share it,
// and of its classifier (the "head" sites).
std::vector<torch::Tensor> adapterTensors(Model &model);
// Every tensor the model's adapters hold, each once: the trained ones and the frozen ones a
// knowledge checkpoint keeps — what an adapter folder stores.
std::vector<torch::Tensor> storedAdapterTensors(Model &model);
std::vector<torch::Tensor> classifierTensors(Model &model);
// Every tensor of the model, adapters included.
std::vector<torch::Tensor> allTensors(Model &model);

// What a fine-tuning `method` trains, attaching adapters where it needs them: "linear" (the
// classifier: a linear probe), "full" (everything), the name of an adapter kind (new adapters
// as `adapters` says, and the classifier), "none" (nothing). Throws std::invalid_argument for
// another name.
std::vector<torch::Tensor> prepareFineTuning(Model &model, const std::string &method, AdapterSpec adapters = {});

} // namespace sculpt
