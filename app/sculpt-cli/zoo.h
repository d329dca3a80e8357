#pragma once
// `sculpt-cli zoo`'s demo models, one function each: what the command line chose for them.

#include "data/idx.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sculpt::cli {

struct ZooOptions {
    std::string out = "resources/models";
    std::optional<int> epochs; // each model's own default when absent
    uint64_t seed = 0;
    // One by default: on a busy machine OpenMP's spinning workers made two threads 10× slower.
    int threads = 1;
    long trainLimit = -1; // the first N training examples; all when negative
    std::string only;     // --only's value: one model's key; empty for every model
    std::string data = "fashion-vqa"; // --data: where the vision-language demo's questions go
    std::optional<long> steps;        // --steps: the layout model's training steps
    // Whether --out and --data were given: the layout model needs both named (its data is
    // not the machine's to find, and its licence keeps it out of resources/models).
    bool outGiven = false, dataGiven = false;
};

// Fashion-MNIST from Debian's dataset-fashion-mnist, read once for every demo that uses it.
struct FashionMnist {
    IdxImages train, test;
    std::vector<uint8_t> trainLabels, testLabels;
};
// Nothing, after one line on stderr, when the package's files cannot be read.
std::optional<FashionMnist> readFashionMnist();

// A ViT the zoo trains on Fashion-MNIST. Only the shape varies, so that head rankings on a
// deeper, wider model (fashion-vit-6x8: 48 heads) compare with fashion-vit's under one recipe
// (VitTrainingOptions' defaults).
struct VitDemo {
    std::string name; // its folder under --out
    std::string key;  // its --only value
    int64_t layers = 0, heads = 0;
};

const std::vector<VitDemo> &vitDemos();

// Each trains its models (those --only picks) into `out`, checks the saved folders through the
// runtime and returns an exit code; `cancel` is the Ctrl-C flag.
int zooVit(const ZooOptions &options, const FashionMnist &data, const std::atomic<bool> *cancel);
int zooLm(const ZooOptions &options, const std::atomic<bool> *cancel);
// The vision-language demo, from the ViT and the LLaMA in `out` (trained by the two above).
int zooVlm(const ZooOptions &options, const FashionMnist &data, const std::atomic<bool> *cancel);
// The layout model, from the OpenMantra folder at options.data into the folder options.out.
int zooLayout(const ZooOptions &options, const std::atomic<bool> *cancel);

} // namespace sculpt::cli
