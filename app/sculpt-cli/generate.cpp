#include "commands.h"

#include "model_loading.h"
#include "runtime/generate.h"

#include <cmath>
#include <iostream>

namespace sculpt::cli {
namespace {

constexpr const char *kUsage =
    "usage: sculpt-cli generate MODEL [--tokenizer PATH] --prompt TEXT [--max-tokens N] [--temperature T] [--seed S]\n";

struct Arguments {
    std::string model;
    std::string tokenizer;
    std::optional<std::string> prompt;
    GenerateOptions options;
};

std::optional<Arguments> parse(const std::vector<std::string> &args)
{
    Arguments a;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        const bool takesValue = arg == "--tokenizer" || arg == "--prompt" || arg == "--max-tokens" ||
                                arg == "--temperature" || arg == "--seed";
        if (takesValue && i + 1 >= args.size()) {
            std::cerr << "sculpt-cli generate: " << arg << " needs a value\n";
            return std::nullopt;
        }
        const auto bad = [&](const char *what) {
            std::cerr << "sculpt-cli generate: " << arg << " takes " << what << ", not '" << args[i] << "'\n";
            return std::nullopt;
        };
        char *end = nullptr;
        if (arg == "--tokenizer") {
            a.tokenizer = args[++i];
        } else if (arg == "--prompt") {
            a.prompt = args[++i];
        } else if (arg == "--max-tokens") {
            a.options.maxTokens = std::strtol(args[++i].c_str(), &end, 10);
            if (*end != '\0' || args[i].empty() || a.options.maxTokens < 0)
                return bad("a whole number ≥ 0");
        } else if (arg == "--temperature") {
            a.options.temperature = std::strtod(args[++i].c_str(), &end);
            if (*end != '\0' || args[i].empty() || !std::isfinite(a.options.temperature) || a.options.temperature < 0)
                return bad("a number ≥ 0");
        } else if (arg == "--seed") {
            a.options.seed = std::strtoull(args[++i].c_str(), &end, 10);
            if (*end != '\0' || args[i].empty() || args[i].starts_with("-"))
                return bad("a whole number ≥ 0");
        } else if (arg.starts_with("-")) {
            std::cerr << "sculpt-cli generate: unknown option '" << arg << "'\n";
            return std::nullopt;
        } else if (a.model.empty()) {
            a.model = arg;
        } else {
            std::cerr << "sculpt-cli generate: one MODEL only\n";
            return std::nullopt;
        }
    }
    if (a.model.empty() || !a.prompt) {
        std::cerr << kUsage << "(--prompt \"\" starts from BOS)\n";
        return std::nullopt;
    }
    return a;
}

} // namespace

int generate(const std::vector<std::string> &rawArgs)
{
    auto args = parse(rawArgs);
    if (!args)
        return kBadInput;
    const auto loaded = loadModel("generate", args->model, args->tokenizer);
    if (!loaded)
        return kBadInput;
    const Tokenizer &tokenizer = *loaded->tokenizer;
    const std::vector<int32_t> prompt = tokenizer.encode(*args->prompt, /*bos=*/true);
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
    sculpt::generate(*loaded->model, prompt, args->options, [&](int32_t token) {
        std::cout << tokenizer.decode(previous, token) << std::flush;
        previous = token;
    });
    std::cout << "\n";
    return kOk;
}

} // namespace sculpt::cli
