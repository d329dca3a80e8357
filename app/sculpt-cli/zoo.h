#pragma once
// `sculpt-cli zoo`'s demo models, one function each: what the command line chose for them.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace sculpt::cli {

struct ZooOptions {
    std::string out = "resources/models";
    std::optional<int> epochs; // each model's own default when absent
    uint64_t seed = 0;
    // One by default: on a busy machine OpenMP's spinning workers made two threads 10× slower.
    int threads = 1;
    long trainLimit = -1; // the first N training examples; all when negative
};

// Each trains its model into `out`, checks the saved folder through the runtime and returns
// an exit code; `cancel` is the Ctrl-C flag.
int zooVit(const ZooOptions &options, const std::atomic<bool> *cancel);
int zooLm(const ZooOptions &options, const std::atomic<bool> *cancel);

} // namespace sculpt::cli
