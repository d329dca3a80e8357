#include "runtime/generate.h"

#include "runtime/language_model.h"
#include "runtime/tokenizer.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace sculpt {
namespace {

int32_t mostLikely(const std::vector<float> &logits)
{
    return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

int32_t sample(const std::vector<float> &logits, double temperature, std::mt19937_64 &rng)
{
    const float top = *std::max_element(logits.begin(), logits.end());
    std::vector<double> weights(logits.size());
    double total = 0;
    for (size_t i = 0; i < logits.size(); ++i)
        total += weights[i] = std::exp((double(logits[i]) - top) / temperature);
    const double coin = double(rng() >> 11) * 0x1.0p-53 * total;
    double cumulative = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
        cumulative += weights[i];
        if (coin < cumulative)
            return static_cast<int32_t>(i);
    }
    return mostLikely(logits); // rounding left the coin past the end
}

} // namespace

std::vector<int32_t> textEnds(const Tokenizer &tokenizer)
{
    std::vector<int32_t> ends;
    for (const int32_t end : {tokenizer.eos(), tokenizer.bos()})
        if (end >= 0)
            ends.push_back(end);
    return ends;
}

Generation generate(const LanguageModel &model, std::span<const int32_t> prompt, const GenerateOptions &options,
                    const std::function<bool(int32_t)> &onToken, const JobContext &job, std::span<const float> pixels)
{
    if (prompt.empty())
        throw std::invalid_argument("generation needs a prompt of at least one token (BOS)");
    if (!(options.temperature >= 0) || !std::isfinite(options.temperature))
        throw std::invalid_argument("the temperature must be a finite number ≥ 0");

    std::mt19937_64 rng(options.seed);
    auto decoder = model.decoder();
    std::vector<float> logits = decoder.prompt(prompt, pixels);
    Generation generated;
    while (long(generated.tokens.size()) < options.maxTokens) {
        job.checkCancelled();
        const int32_t next = options.temperature == 0 ? mostLikely(logits) : sample(logits, options.temperature, rng);
        if (std::find(options.stop.begin(), options.stop.end(), next) != options.stop.end())
            break;
        generated.tokens.push_back(next);
        const bool goOn = !onToken || onToken(next);
        if (!goOn || long(generated.tokens.size()) == options.maxTokens || decoder.position() == model.contextLength())
            break; // nothing reads what feeding it would give
        logits = decoder.next(next);
        ++generated.fed;
    }
    return generated;
}

} // namespace sculpt
