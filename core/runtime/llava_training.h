#pragma once
// Makes a small LLaVA-style model from two trained ones — a ViT classifier as the vision tower
// (its head left out), a LLaMA as the decoder, a new projector between them — and trains it
// LLaVA's way on templated questions about Fashion-MNIST's images (fashion_questions.h): first
// the projector alone, then the projector and the decoder; the tower stays as it was. Saves a
// Hugging Face LLaVA folder the runtime runs as it is: the vision-language demo `sculpt-cli zoo`
// makes. Deterministic: the same models, data, options and thread count give the same bytes.
// Torch-free.

#include "data/idx.h"
#include "job/job.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sculpt {

struct LlavaTrainingOptions {
    std::string tower;   // a ViT classifier's folder (config.json + model.safetensors)
    std::string decoder; // a LLaMA's folder with its tokenizer.model
    long projectorSteps = 300; // stage 1: the projector alone
    long decoderSteps = 1500;  // stage 2: the projector and the decoder
    int64_t batch = 32;        // questions per step, each with its image
    // AdamW's peaks, each stage with its own linear warm-up and cosine decay.
    double projectorRate = 1e-3;
    double decoderRate = 5e-4;
    uint64_t seed = 0;
    // Intra-op threads: a reduction's order, and so its rounding, may depend on it.
    int threads = 1;
};

struct LlavaTrainingResult {
    std::vector<double> stageLoss; // mean answer NLL per answer token, over each stage's steps
    std::vector<double> finalLoss; // the same over each stage's last tenth
    long steps = 0;
    long questions = 0;            // training questions drawn (no image twice with one question)
    // The first training question's prompt, to check the saved folder: its tokens, pixels
    // and the trained model's logits at the last position.
    std::vector<int32_t> probeTokens;
    std::vector<float> probePixels, probeLogits;
};

// Trains on the questions of `images` (with `labels`) and writes `folder` (config.json,
// model.safetensors, preprocessor_config.json and the decoder's tokenizer.model; demo_folder.h).
// The decoder's vocabulary grows by one id, the image token; the tower's last block feeds the
// projector, its class token included. Reports progress per
// step, throws Cancelled (nothing is written then), FileError for a tower or decoder it
// cannot use, std::invalid_argument for options or images that do not fit.
LlavaTrainingResult trainLlava(const IdxImages &images, std::span<const uint8_t> labels,
                               const LlavaTrainingOptions &options, const std::string &folder,
                               const JobContext &job = {});

} // namespace sculpt
