#include "commands.h"
#include "usage.h"

#include "generate_layout.h"
#include "io/error.h"
#include "io/formats.h"
#include "model_loading.h"
#include "options.h"
#include "stop_signals.h"
#include "runtime/generate.h"
#include "runtime/model_kind.h"
#include "runtime/vision_prompt.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>

namespace sculpt::cli {
namespace {

struct Arguments {
    std::string model;
    std::string tokenizer;
    std::string prompt;
    std::vector<std::string> images;
    bool json = false;
    GenerateOptions options;
};

// The flags of every kind of model: generate dispatches on the model's kind once the
// arguments are read, and each kind refuses the others' flags.
Options generateOptions()
{
    return Options("generate",
                   {"--tokenizer", "--prompt", "--image", "--max-tokens", "--temperature", "--seed", "--panels", "--steps",
                    "--aspect"},
                   {"--json"});
}

std::optional<Arguments> parse(const Options &options)
{
    for (const char *flag : {"--panels", "--steps", "--aspect"})
        if (options.has(flag)) {
            options.fail(std::string(flag) + " is for layout models; " + options.positional()[0] + " is a language model");
            return std::nullopt;
        }
    if (!options.has("--prompt")) {
        std::cerr << usageOf("generate") << "(--prompt \"\" starts from BOS)\n";
        return std::nullopt;
    }
    Arguments a{options.positional()[0], options.value("--tokenizer"), options.value("--prompt"), options.values("--image"),
                options.has("--json"), {}};
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

// The kind of the model at `path`; nothing, after one line, when it cannot be opened.
std::optional<ModelKind> kindOf(const std::string &path)
{
    try {
        return runnableKind(*openCheckpoint(path)).value_or(ModelKind::Language); // the text path says what it lacks
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return std::nullopt;
    }
}

} // namespace

int generate(const std::vector<std::string> &rawArgs)
{
    Options options = generateOptions();
    if (!options.parse(rawArgs))
        return kBadInput;
    if (options.positional().size() > 1) {
        options.fail("one MODEL only");
        return kBadInput;
    }
    if (options.positional().empty()) {
        std::cerr << usageOf("generate");
        return kBadInput;
    }
    const std::optional<ModelKind> kind = kindOf(options.positional()[0]);
    if (!kind)
        return kBadInput;
    if (*kind == ModelKind::Layout)
        return generateLayout(options);
    auto args = parse(options);
    if (!args)
        return kBadInput;
    const auto loaded = loadModel(args->model, args->tokenizer);
    if (!loaded)
        return kBadInput;
    const Tokenizer &tokenizer = *loaded->tokenizer;
    VisionPrompt prompt{tokenizer.encode(args->prompt, /*bos=*/true), {}};
    if (!args->images.empty()) {
        const std::optional<ImagePrompt> format = loaded->model->imagePrompt();
        if (!format) {
            std::cerr << "sculpt-cli generate: " << args->model << " reads no images\n";
            return kBadInput;
        }
        try {
            prompt = visionPrompt(tokenizer, *format, imageProcessorFor(args->model, *format), args->prompt, args->images);
        } catch (const std::exception &e) { // FileError for an image, std::invalid_argument for the prompt
            std::cerr << "sculpt-cli generate: " << e.what() << "\n";
            return kBadInput;
        }
    }
    if (int64_t(prompt.tokens.size()) > loaded->model->contextLength()) {
        std::cerr << "sculpt-cli generate: the prompt is " << prompt.tokens.size() << " tokens, more than the model's context of "
                  << loaded->model->contextLength() << "\n";
        return kBadInput;
    }
    const std::vector<int32_t> ends = textEnds(tokenizer);
    args->options.stop.insert(args->options.stop.end(), ends.begin(), ends.end());

    // The prompt's text as the tokenizer reads it back (an image's tokens are not text), then
    // each new token as soon as it is chosen; with --json, all of it at the end.
    std::vector<int32_t> text = prompt.tokens;
    if (const auto format = loaded->model->imagePrompt())
        std::erase(text, int32_t(format->token));
    const std::string promptText = tokenizer.decode(text);
    if (!args->json)
        std::cout << promptText << std::flush;
    int32_t previous = prompt.tokens.back();
    std::string answer;
    const JobContext job({}, cancelOnStopSignals());
    Generation generated;
    try {
        generated = sculpt::generate(
            *loaded->model, prompt.tokens, args->options,
            [&](int32_t token) {
                const std::string piece = tokenizer.decode(previous, token);
                answer += piece;
                if (!args->json)
                    std::cout << piece << std::flush;
                previous = token;
                return true;
            },
            job, prompt.pixels);
    } catch (const Cancelled &) {
        if (!args->json)
            std::cout << "\n";
        return stoppedStatus(); // what was printed stays printed: nothing else to keep
    }
    if (args->json) {
        nlohmann::ordered_json out{{"prompt", promptText}, {"prompt_tokens", prompt.tokens},
                                   {"images", args->images.size()}, {"text", answer}, {"tokens", generated.tokens}};
        const int64_t imageTokens = int64_t(prompt.tokens.size() - text.size());
        if (const auto macs = loaded->model->decoderMacs({int64_t(prompt.tokens.size()), imageTokens, generated.fed}))
            out["decoder_gflops"] = 2e-9 * double(*macs);
        std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace); // a byte token may split a character
    }
    std::cout << "\n";
    return kOk;
}

} // namespace sculpt::cli
