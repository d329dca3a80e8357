#pragma once
// What the compression-table benchmarks share: their command line — which methods, at which
// ratios, on how much calibration data, with how many threads.
//   --methods a,b  --ratios 0.2,0.4  --<countFlag> N  --threads N

#include <optional>
#include <string>
#include <vector>

namespace bench {

struct PassTable {
    std::vector<std::string> methods{"svd", "fwsvd", "asvd", "svd-llm", "soco"};
    std::vector<std::string> ratios{"0.2", "0.4", "0.6"};
    long calibration = 0;
    int threads = 1;
};

// Nothing, after saying why on stderr, for an unknown option.
std::optional<PassTable> parsePassTable(int argc, char **argv, const std::string &program, const std::string &countFlag,
                                        long calibration);

} // namespace bench
