#pragma once
// The shape of Sculpt's layout model (layout_model.h) as its folder's config.json holds it
// ("model_type": "sculpt-layout"), and the diffusion noise schedule it was trained under.
// Torch-free: the inventory and the fuzzers read it too.

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;

// How the noise variance βₜ grows over the diffusion steps: Nichol and Dhariwal's cosine ᾱ, or
// DDPM's linear β from betaStart to betaEnd.
enum class NoiseSchedule { Cosine, Linear };

struct LayoutConfig {
    int64_t maxPanels = 12; // tokens a page has; a page's panels fill the first ones
    int64_t dim = 128;      // hidden size
    int64_t layers = 4;
    int64_t heads = 4;
    int64_t hiddenDim = 512;     // the MLP's width
    int64_t frequencyDim = 64;   // sinusoidal features of the timestep, before its MLP
    double layerNormEps = 1e-6;
    int64_t timesteps = 1000;    // T of the DDPM the model was trained under
    NoiseSchedule schedule = NoiseSchedule::Cosine;
    double betaStart = 1e-4, betaEnd = 0.02; // the linear schedule's ends

    int64_t headDim() const { return dim / heads; }
};

// ᾱₜ = ∏ₛ≤ₜ (1 − βₛ) for t = 0 … timesteps − 1, in float64: how much of the clean boxes is
// left at step t.
std::vector<double> cumulativeAlphas(const LayoutConfig &config);

// The config of `checkpoint` from its config.json. Throws FileError naming the file and the key
// when it is missing, malformed, out of reason or not a sculpt-layout model.
LayoutConfig readLayoutConfig(const Checkpoint &checkpoint);

// config.json of the model, which readLayoutConfig reads back as it is.
std::string layoutConfigJson(const LayoutConfig &config);

} // namespace sculpt
