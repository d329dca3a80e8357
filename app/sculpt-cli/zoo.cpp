// `sculpt-cli zoo`: trains the bundled demo models on data from Debian packages,
// deterministically, and checks that the runtime reads back what training measured.

#include "zoo.h"

#include "commands.h"
#include "usage.h"
#include "stop_signals.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>

namespace sculpt::cli {
namespace {

constexpr const char *kLm = "lm";
constexpr const char *kVlm = "vlm";
// Not among every model's: its data is CC BY-NC, so it is trained only where asked, never bundled.
constexpr const char *kLayout = "layout";

// The --only values, from the ViT table, so that a new row needs no change here.
std::vector<std::string> onlyKeys()
{
    std::vector<std::string> keys;
    for (const VitDemo &demo : vitDemos())
        keys.push_back(demo.key);
    keys.push_back(kLm);
    keys.push_back(kVlm);
    keys.push_back(kLayout);
    return keys;
}

std::string listed(const std::vector<std::string> &keys)
{
    std::string text;
    for (size_t i = 0; i < keys.size(); ++i)
        text += (i == 0 ? "" : i + 1 == keys.size() ? " or " : ", ") + keys[i];
    return text;
}

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

std::optional<ZooOptions> parse(const std::vector<std::string> &args)
{
    ZooOptions a;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (i + 1 >= args.size()) {
            std::cerr << (arg.starts_with("-") ? "sculpt-cli zoo: " + arg + " needs a value\n" : usageOf("zoo"));
            return std::nullopt;
        }
        const std::string &value = args[++i];
        if (arg == "--out" || arg == "--data") {
            (arg == "--out" ? a.out : a.data) = value;
            (arg == "--out" ? a.outGiven : a.dataGiven) = true;
            continue;
        }
        if (arg == "--only") {
            const std::vector<std::string> keys = onlyKeys();
            if (std::find(keys.begin(), keys.end(), value) == keys.end()) {
                std::cerr << "sculpt-cli zoo: --only takes " << listed(keys) << ", not '" << value << "'\n";
                return std::nullopt;
            }
            a.only = value;
            continue;
        }
        const bool isNumber =
            arg == "--epochs" || arg == "--seed" || arg == "--threads" || arg == "--train-limit" || arg == "--steps";
        if (!isNumber) {
            std::cerr << "sculpt-cli zoo: unknown option '" << arg << "'\n" << usageOf("zoo");
            return std::nullopt;
        }
        const auto number = wholeNumber(arg, value, arg == "--seed" ? 0 : 1);
        if (!number)
            return std::nullopt;
        if (arg == "--epochs")
            a.epochs = int(*number);
        else if (arg == "--seed")
            a.seed = uint64_t(*number);
        else if (arg == "--threads")
            a.threads = int(*number);
        else if (arg == "--steps")
            a.steps = *number;
        else
            a.trainLimit = *number;
    }
    // The layout model's options are its own: each refused where it would be ignored.
    const auto refuse = [](const std::string &why) {
        std::cerr << "sculpt-cli zoo: " << why << "\n";
        return std::nullopt;
    };
    if (a.only == kLayout) {
        if (!a.dataGiven || !a.outGiven)
            return refuse("--only layout needs --data (an OpenMantra folder) and --out (the model's folder): its pages "
                          "are CC BY-NC, so the model is never written to the bundled resources/models");
        if (a.epochs || a.trainLimit >= 0)
            return refuse("--only layout trains for --steps N, not --epochs or --train-limit");
    } else if (a.steps) {
        return refuse("--steps is the layout model's (--only layout); the other demos train for --epochs");
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
    if (args->only == kLayout)
        return zooLayout(*args, cancel);
    const bool all = args->only.empty();
    std::optional<FashionMnist> data;
    if (args->only != kLm) {
        if (!(data = readFashionMnist()))
            return kBadInput;
        if (const int code = zooVit(*args, *data, cancel); code != kOk)
            return code;
    }
    if (all || args->only == kLm)
        if (const int code = zooLm(*args, cancel); code != kOk)
            return code;
    return all || args->only == kVlm ? zooVlm(*args, *data, cancel) : kOk;
}

} // namespace sculpt::cli
