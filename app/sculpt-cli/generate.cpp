#include "commands.h"
#include "usage.h"

#include "model_loading.h"
#include "options.h"
#include "stop_signals.h"
#include "runtime/generate.h"

#include <cmath>
#include <iostream>

namespace sculpt::cli {
namespace {

struct Arguments {
    std::string model;
    std::string tokenizer;
    std::string prompt;
    GenerateOptions options;
};

std::optional<Arguments> parse(const std::vector<std::string> &args)
{
    Options options("generate", {"--tokenizer", "--prompt", "--max-tokens", "--temperature", "--seed"}, {});
    if (!options.parse(args))
        return std::nullopt;
    if (options.positional().size() > 1) {
        options.fail("one MODEL only");
        return std::nullopt;
    }
    if (options.positional().empty() || !options.has("--prompt")) {
        std::cerr << usageOf("generate") << "(--prompt \"\" starts from BOS)\n";
        return std::nullopt;
    }
    Arguments a{options.positional()[0], options.value("--tokenizer"), options.value("--prompt"), {}};
    const auto maxTokens = options.count("--max-tokens", a.options.maxTokens, 0);
    const auto temperature = options.number("--temperature", a.options.temperature, 0, HUGE_VAL);
    const auto seed = options.count("--seed", long(a.options.seed), 0);
    if (!maxTokens || !temperature || !seed)
        return std::nullopt;
    a.options.maxTokens = *maxTokens;
    a.options.temperature = *temperature;
    a.options.seed = uint64_t(*seed);
    return a;
}

} // namespace

int generate(const std::vector<std::string> &rawArgs)
{
    auto args = parse(rawArgs);
    if (!args)
        return kBadInput;
    const auto loaded = loadModel(args->model, args->tokenizer);
    if (!loaded)
        return kBadInput;
    const Tokenizer &tokenizer = *loaded->tokenizer;
    const std::vector<int32_t> prompt = tokenizer.encode(args->prompt, /*bos=*/true);
    if (int64_t(prompt.size()) > loaded->model->contextLength()) {
        std::cerr << "sculpt-cli generate: the prompt is " << prompt.size() << " tokens, more than the model's context of "
                  << loaded->model->contextLength() << "\n";
        return kBadInput;
    }
    for (const int32_t stop : {tokenizer.bos(), tokenizer.eos()})
        if (stop >= 0)
            args->options.stop.push_back(stop);

    // The prompt as the tokenizer reads it back, then each new token as soon as it is chosen.
    std::cout << tokenizer.decode(prompt) << std::flush;
    int32_t previous = prompt.back();
    const JobContext job({}, cancelOnStopSignals());
    try {
        sculpt::generate(
            *loaded->model, prompt, args->options,
            [&](int32_t token) {
                std::cout << tokenizer.decode(previous, token) << std::flush;
                previous = token;
            },
            job);
    } catch (const Cancelled &) {
        std::cout << "\n";
        return stoppedStatus(); // what was printed stays printed: nothing else to keep
    }
    std::cout << "\n";
    return kOk;
}

} // namespace sculpt::cli
