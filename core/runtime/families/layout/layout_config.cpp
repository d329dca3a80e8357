#include "runtime/families/layout/layout_config.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "io/hf_folder.h"
#include "runtime/config_reader.h"

#include <cmath>
#include <numbers>
#include <nlohmann/json.hpp>

namespace sculpt {
namespace {

using json = nlohmann::json;

constexpr const char *kModelType = "sculpt-layout";
// Far above any layout model worth running, low enough that what the config sizes (the noise
// schedule, the tokens) cannot exhaust memory before the weights' shapes are checked.
constexpr int64_t kMostPanels = 1024, kMostTimesteps = 100000, kMostWidth = 1 << 16;
// Nichol and Dhariwal's offset, which keeps β₀ from vanishing, and their cap on β.
constexpr double kCosineOffset = 0.008, kMostBeta = 0.999;

const char *scheduleName(NoiseSchedule s) { return s == NoiseSchedule::Cosine ? "cosine" : "linear"; }

} // namespace

std::vector<double> cumulativeAlphas(const LayoutConfig &c)
{
    std::vector<double> alphas;
    double product = 1;
    const double steps = double(c.timesteps);
    const auto f = [&](double t) { return std::pow(std::cos((t / steps + kCosineOffset) / (1 + kCosineOffset) * std::numbers::pi / 2), 2); };
    for (int64_t t = 0; t < c.timesteps; ++t) {
        const double beta = c.schedule == NoiseSchedule::Cosine
                                ? std::min(1 - f(double(t + 1)) / f(double(t)), kMostBeta)
                                : c.betaStart + (c.betaEnd - c.betaStart) * double(t) / std::max(steps - 1, 1.0);
        product *= 1 - beta;
        alphas.push_back(product);
    }
    return alphas;
}

LayoutConfig readLayoutConfig(const Checkpoint &checkpoint)
{
    const auto it = checkpoint.metadata().find(kConfigKey);
    if (it == checkpoint.metadata().end())
        throw FileError(checkpoint.path(), "no config.json: a layout model is run from its folder (config.json + weights)");
    const json config = json::parse(it->second, nullptr, /*allow_exceptions=*/false);
    const ConfigReader r(checkpoint, config);
    if (!config.is_object())
        r.fail("not a JSON object");
    if (const std::string type = r.text("model_type", ""); type != kModelType)
        r.fail("model_type '" + type + "' is not " + kModelType);
    const auto bounded = [&](const char *key, int64_t most) {
        const int64_t v = r.positive(key);
        if (v > most)
            r.fail(std::string(key) + " " + std::to_string(v) + " is more than " + std::to_string(most));
        return v;
    };
    LayoutConfig c;
    c.maxPanels = bounded("max_panels", kMostPanels);
    c.dim = bounded("hidden_size", kMostWidth);
    c.layers = bounded("num_hidden_layers", kMostWidth);
    c.heads = bounded("num_attention_heads", kMostWidth);
    if (c.dim % c.heads != 0)
        r.fail("num_attention_heads does not divide hidden_size");
    c.hiddenDim = bounded("intermediate_size", kMostWidth);
    c.frequencyDim = bounded("frequency_embedding_size", kMostWidth);
    if (c.frequencyDim % 2 != 0)
        r.fail("frequency_embedding_size must be even (a sine and a cosine per frequency)");
    c.layerNormEps = r.number("layer_norm_eps", c.layerNormEps);
    c.timesteps = bounded("num_train_timesteps", kMostTimesteps);
    const std::string schedule = r.text("beta_schedule", "");
    if (schedule != "cosine" && schedule != "linear")
        r.fail("beta_schedule '" + schedule + "' is neither cosine nor linear");
    c.schedule = schedule == "cosine" ? NoiseSchedule::Cosine : NoiseSchedule::Linear;
    c.betaStart = r.number("beta_start", c.betaStart);
    c.betaEnd = r.number("beta_end", c.betaEnd);
    if (c.schedule == NoiseSchedule::Linear && !(c.betaStart <= c.betaEnd && c.betaEnd < 1))
        r.fail("a linear schedule needs 0 < beta_start ≤ beta_end < 1");
    return c;
}

std::string layoutConfigJson(const LayoutConfig &c)
{
    const json config{{"model_type", kModelType},
                      {"max_panels", c.maxPanels},
                      {"hidden_size", c.dim},
                      {"num_hidden_layers", c.layers},
                      {"num_attention_heads", c.heads},
                      {"intermediate_size", c.hiddenDim},
                      {"frequency_embedding_size", c.frequencyDim},
                      {"layer_norm_eps", c.layerNormEps},
                      {"num_train_timesteps", c.timesteps},
                      {"beta_schedule", scheduleName(c.schedule)},
                      {"beta_start", c.betaStart},
                      {"beta_end", c.betaEnd}};
    return config.dump(2);
}

} // namespace sculpt
