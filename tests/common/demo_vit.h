#pragma once
// The bundled demo ViT (fashion-vit) as the adapter tests use it: loaded afresh, fed seeded
// random images, and given LoRA that looks trained. Torch inside: for tests that link it, and
// define SCULPT_MODELS_DIR.

#include "adapt/fine_tune.h"
#include "io/formats.h"
#include "runtime/adapter.h"
#include "runtime/model_family.h"

#include <torch/torch.h>

#include <functional>
#include <memory>

namespace sculpt::test {

inline std::unique_ptr<Model> loadDemoVit()
{
    return loadModel(*openCheckpoint(SCULPT_MODELS_DIR "/fashion-vit"), torch::kCPU);
}

// `count` images of random bytes (seed 1), normalised for the model.
inline torch::Tensor randomPixels(const Model &model, int64_t count)
{
    torch::manual_seed(1);
    const auto &vision = static_cast<const VisionModel &>(model);
    const ImageFormat &f = vision.imageFormat();
    const torch::Tensor bytes = torch::randint(0, 256, {count, f.channels, f.size, f.size}, torch::kUInt8).contiguous();
    return vision.pixels(bytes.data_ptr<uint8_t>(), size_t(bytes.numel()), count);
}

// The same images with random labels among ten classes.
inline LabelledImages randomLabelledImages(const Model &model, int64_t count)
{
    torch::Tensor pixels = randomPixels(model, count);
    return {std::move(pixels), torch::randint(0, 10, {count}, torch::kInt64)};
}

// LoRA (r 4, α 8) on every q and v site (seed 0: two calls give equal models), B drawn from
// N(0, 0.3²) so it acts as trained, except where `fresh` says to leave B at zero.
inline void attachDrawnLora(Model &model, const std::function<bool(const LinearSite &)> &fresh = {})
{
    torch::manual_seed(0);
    torch::NoGradGuard noGrad;
    for (const LinearSite &site : model.linearSites())
        if (site.role == "q" || site.role == "v") {
            auto lora = std::make_shared<LoraAdapter>(site.linear->inFeatures(), site.linear->outFeatures(), 4, 8.0,
                                                      torch::Device(torch::kCPU));
            if (!fresh || !fresh(site))
                lora->b().normal_(0, 0.3);
            site.linear->attach(lora);
        }
}

} // namespace sculpt::test
