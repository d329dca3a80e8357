// `sculpt-cli zoo`: trains the bundled demo models on data from Debian packages,
// deterministically, and checks that the runtime reads back what training measured.

#include "zoo.h"

#include "commands.h"
#include "usage.h"
#include "stop_signals.h"

#include <cstdlib>
#include <iostream>
#include <optional>

namespace sculpt::cli {
namespace {

struct Arguments {
    ZooOptions options;
    bool vit = true, lm = true;
};

std::optional<long> wholeNumber(const std::string &option, const std::string &text, long least)
{
    char *end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value < least) {
        std::cerr << "sculpt-cli zoo: " << option << " takes a whole number ≥ " << least << ", not '" << text << "'\n";
        return std::nullopt;
    }
    return value;
}

std::optional<Arguments> parse(const std::vector<std::string> &args)
{
    Arguments a;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (i + 1 >= args.size()) {
            std::cerr << (arg.starts_with("-") ? "sculpt-cli zoo: " + arg + " needs a value\n" : usageOf("zoo"));
            return std::nullopt;
        }
        const std::string &value = args[++i];
        if (arg == "--out") {
            a.options.out = value;
            continue;
        }
        if (arg == "--only") {
            if (value != "vit" && value != "lm") {
                std::cerr << "sculpt-cli zoo: --only takes vit or lm, not '" << value << "'\n";
                return std::nullopt;
            }
            a.vit = value == "vit";
            a.lm = value == "lm";
            continue;
        }
        const bool isNumber = arg == "--epochs" || arg == "--seed" || arg == "--threads" || arg == "--train-limit";
        if (!isNumber) {
            std::cerr << "sculpt-cli zoo: unknown option '" << arg << "'\n" << usageOf("zoo");
            return std::nullopt;
        }
        const auto number = wholeNumber(arg, value, arg == "--seed" ? 0 : 1);
        if (!number)
            return std::nullopt;
        if (arg == "--epochs")
            a.options.epochs = int(*number);
        else if (arg == "--seed")
            a.options.seed = uint64_t(*number);
        else if (arg == "--threads")
            a.options.threads = int(*number);
        else
            a.options.trainLimit = *number;
    }
    return a;
}

} // namespace

int zoo(const std::vector<std::string> &rawArgs)
{
    const auto args = parse(rawArgs);
    if (!args)
        return kBadInput;
    // Before the first line of output, so whoever sees it can stop the training cleanly.
    const std::atomic<bool> *cancel = cancelOnStopSignals();
    if (args->vit) {
        if (const int code = zooVit(args->options, cancel); code != kOk)
            return code;
    }
    return args->lm ? zooLm(args->options, cancel) : kOk;
}

} // namespace sculpt::cli
