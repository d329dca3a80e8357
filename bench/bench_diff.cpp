// The model diff's distances on two LLaMA-shaped fp16 safetensors files: A of N(0, 0.02)
// weights, B the same weights each moved by N(0, 0.01 · 0.02) — a fine-tune 1 % away in every
// tensor. Measured: `sculpt-cli diff A B --distances-only --json` as a child, its wall time
// and peak RSS. Baseline, in the same run: numpy_diff.py, the same distances in numpy one
// pair at a time, as a child too. The two must agree on every tensor to 1e-4. Both files were
// just written, so they are read from the page cache: this measures reading the maps and the
// arithmetic, not the disk.
//
//   bench_diff --quick   LLaMA-134M, 2 × 0.27 GB, under a minute; also the full diff (--topk 8)
//   bench_diff           TinyLlama-1.1B shapes, 2 × 2.2 GB (needs 10 GB free in /tmp), ~5 min
//   bench_diff --7b      LLaMA-2-7B shapes, 2 × 13.5 GB (needs 40 GB free), one round: the pair
//                        outgrows the page cache here, so this one reads the disk — the memory
//                        bound where it matters, the largest pair, not the model

#include "bench_support.h"
#include "llama_checkpoint.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using bench::ModelShape;

// GPT-2 small's width and depth with LLaMA's vocabulary, head untied.
constexpr ModelShape kQuick{"LLaMA-134M", 768, 2048, 12, 768, 32000, 1};
constexpr float kDrift = 0.01f;
constexpr double kTolerance = 1e-4;
constexpr int kRounds = 3; // the machine is shared: each side's median (one for --7b: 2 × 27 GB of reading)

struct Distances {
    double distance, cosine, maxAbs;
};

struct Measured {
    bench::ChildRun child;
    std::map<std::string, Distances> tensors;
    double loopSeconds = 0; // numpy's loop alone, without Python's start-up and importing numpy
};

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Measured runCli(bench::ScratchDir &scratch, const std::vector<std::string> &argv)
{
    const std::string out = scratch.file("cli.json"), err = scratch.file("cli.err");
    Measured run{bench::runChild(argv, out, err), {}};
    const nlohmann::json result = nlohmann::json::parse(bench::readFile(out));
    for (const auto &t : result.at("tensors"))
        run.tensors[t.at("name")] = {t.at("relative_distance"), t.at("cosine"), t.at("max_abs_difference")};
    return run;
}

Measured runNumpy(bench::ScratchDir &scratch, const std::string &a, const std::string &b)
{
    const std::string out = scratch.file("numpy.json"), err = scratch.file("numpy.err");
    Measured run{bench::runChild({SCULPT_SYSTEM_PYTHON, SCULPT_NUMPY_DIFF_SCRIPT, a, b}, out, err), {}};
    const nlohmann::json result = nlohmann::json::parse(bench::readFile(out));
    run.loopSeconds = result.at("seconds");
    for (const auto &[name, d] : result.at("tensors").items())
        run.tensors[name] = {d.at(0), d.at(1), d.at(2)};
    return run;
}

// The run of median time, with the largest peak RSS of all.
Measured median(std::vector<Measured> runs)
{
    std::sort(runs.begin(), runs.end(),
              [](const Measured &x, const Measured &y) { return x.child.seconds < y.child.seconds; });
    Measured middle = runs[runs.size() / 2];
    for (const Measured &r : runs)
        middle.child.peakMb = std::max(middle.child.peakMb, r.child.peakMb);
    return middle;
}

double relativeDifference(double x, double reference)
{
    return reference == 0 ? std::abs(x) : std::abs(x - reference) / std::abs(reference);
}

// The largest relative difference of each distance over the tensors; -1 when the two did not
// measure the same tensors.
Distances disagreement(const Measured &sculpt, const Measured &numpy)
{
    if (sculpt.tensors.size() != numpy.tensors.size())
        return {-1, -1, -1};
    Distances worst{0, 0, 0};
    for (const auto &[name, s] : sculpt.tensors) {
        const auto found = numpy.tensors.find(name);
        if (found == numpy.tensors.end())
            return {-1, -1, -1};
        const Distances &n = found->second;
        worst.distance = std::max(worst.distance, relativeDifference(s.distance, n.distance));
        worst.cosine = std::max(worst.cosine, relativeDifference(s.cosine, n.cosine));
        worst.maxAbs = std::max(worst.maxAbs, relativeDifference(s.maxAbs, n.maxAbs));
    }
    return worst;
}

int run(const ModelShape &shape, bool quick, int rounds)
{
    bench::ScratchDir scratch;
    const double available = bench::freeGb(scratch.path());
    if (available < 2 * shape.minFreeGb) {
        std::fprintf(stderr, "bench_diff: two %s files need %.0f GB free in /tmp, there are %.1f GB\n", shape.name,
                     2 * shape.minFreeGb, available);
        return 1;
    }
    const std::string startLoad = bench::loadAverage();
    const std::vector<bench::Tensor> tensors = bench::llamaTensors(shape);
    const std::string a = scratch.file("a.safetensors"), b = scratch.file("b.safetensors");
    const auto start = std::chrono::steady_clock::now();
    const uint64_t bytes = bench::writeModel(a, tensors) + bench::writeModel(b, tensors, kDrift);
    int64_t largest = 0;
    for (const bench::Tensor &t : tensors)
        largest = std::max(largest, bench::elements(t));
    std::printf("models: %s shapes, fp16, A of N(0, %.2f), B = A + N(0, %.4f); 2 × %.3g GB, written in %.1f s\n",
                shape.name, bench::kWeightScale, kDrift * bench::kWeightScale, double(bytes) / 2e9,
                secondsSince(start));
    std::printf("the largest pair as float32: 2 × %.0f MB\n", double(largest) * 4 / 1e6);
    std::fflush(stdout);

    std::vector<Measured> sculptRuns, numpyRuns;
    for (int round = 0; round < rounds; ++round) { // alternated, so a burst of other work skews both
        // A workspace of its own each round: one the last round kept would be read back, not computed.
        const std::string workspace = scratch.file("round-" + std::to_string(round) + ".h5");
        sculptRuns.push_back(
            runCli(scratch, {SCULPT_CLI_PATH, "diff", a, b, "--distances-only", "--json", "--workspace", workspace}));
        numpyRuns.push_back(runNumpy(scratch, a, b));
    }
    const Measured sculpt = median(sculptRuns), numpy = median(numpyRuns);

    std::printf("\ndistances only (relative distance, cosine, max |A−B|) of %zu tensor pairs, median of %d runs\n",
                sculpt.tensors.size(), rounds);
    std::printf("%-47s %9s %14s\n", "", "wall", "peak RSS");
    std::printf("%-47s %7.2f s %9.1f MB\n", "sculpt  sculpt-cli diff --distances-only --json", sculpt.child.seconds,
                sculpt.child.peakMb);
    std::printf("%-47s %7.2f s %9.1f MB  (its loop alone: %.2f s)\n", "numpy   python3 numpy_diff.py",
                numpy.child.seconds, numpy.child.peakMb, numpy.loopSeconds);
    std::printf("numpy/sculpt: time %.2fx, peak RSS %.2fx\n", numpy.child.seconds / sculpt.child.seconds,
                numpy.child.peakMb / sculpt.child.peakMb);

    const Distances worst = disagreement(sculpt, numpy);
    const bool agree = worst.distance >= 0 && std::max({worst.distance, worst.cosine, worst.maxAbs}) < kTolerance;
    if (worst.distance < 0)
        std::printf("\nagreement: NO, sculpt and numpy measured different tensors (%zu and %zu)\n",
                    sculpt.tensors.size(), numpy.tensors.size());
    else
        std::printf("\nagreement, largest relative difference: distance %.2g, cosine %.2g, max |A−B| %.2g: %s\n",
                    worst.distance, worst.cosine, worst.maxAbs, agree ? "yes (< 1e-4)" : "NO (>= 1e-4)");

    if (quick) {
        const Measured full =
            runCli(scratch, {SCULPT_CLI_PATH, "diff", a, b, "--topk", "8", "--json", "--workspace", scratch.file("full.h5")});
        std::printf("full diff, sculpt-cli diff --topk 8 --json (top-8 spectra, 16-vector subspaces), no baseline: "
                    "%.2f s, peak RSS %.1f MB\n",
                    full.child.seconds, full.child.peakMb);
    }
    std::printf("%s at the start, %s at the end\n", startLoad.c_str(), bench::loadAverage().c_str());
    return agree ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    const bool quick = argc == 2 && std::strcmp(argv[1], "--quick") == 0;
    const bool llama7b = argc == 2 && std::strcmp(argv[1], "--7b") == 0;
    if (argc > 2 || (argc == 2 && !quick && !llama7b)) {
        std::fprintf(stderr, "usage: bench_diff [--quick | --7b]\n");
        return 2;
    }
    try {
        if (llama7b)
            return run(bench::kLlama7b, false, 1);
        return run(quick ? kQuick : bench::kTinyLlama, quick, kRounds);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_diff: %s\n", e.what());
        return 1;
    }
}
