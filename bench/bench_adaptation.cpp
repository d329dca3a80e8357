// The adapters and head-scores tables of the README (issue 12), over several seeds. Per task
// and backbone: test accuracy (mean ± sample sd over seeds 0..N-1) and trained parameters of a
// linear probe, full fine-tuning, LoRA and bottleneck adapters, as `sculpt-cli adapt` runs them;
// then HEAT as `sculpt-cli heat` runs it (LoRA r = 8 on q and v and the classifier fine-tuned,
// heads scored, the lowest-scored fraction p masked across the model, fine-tuned on with them
// masked) for every registered strategy at p = 0.25 and 0.5, with the same run at p = 0 (no
// head masked, the same epochs) as the reference. Everything runs through core/session's
// adapt and scoreHeads: nothing here trains.
//   build-bench/bench/bench_adaptation [--tasks t1,t2,t3] [--models fashion-vit,fashion-vit-6x8]
//       [--seeds 3] [--epochs 10] [--threads 1] [--data DIR] [--quick]
// Tasks t1 (MNIST) and t2 (OpenCV's digits) adapt the bundled backbones (resources/models; a
// missing one is skipped with a note), t3 (Fashion-MNIST) adapts ../shared's vit_mnist_tiny
// (no license stated: figures only; its fused to_qkv gets LoRA on its q and v rows). A method a
// model has no site for is reported as not run, and HEAT then uses bottleneck adapters.
// --quick: one seed, one epoch. Prints Markdown on stdout, one line per run on stderr.

#include "builtin_passes.h"
#include "io/formats.h"
#include "runtime/compute_threads.h"
#include "session/adaptation.h"
#include "session/head_scores.h"
#include "task_bench.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

using namespace sculpt;
using namespace bench;

namespace {

struct Method {
    const char *name, *label, *lrLabel;
    double learningRate;
};

// Full fine-tuning at 1e-3: at the adapters' 1e-2 it moves every weight too far (README).
const std::vector<Method> kMethods{{"linear", "linear probe", "1e-2", 1e-2},
                                   {"full", "full fine-tuning", "1e-3", 1e-3},
                                   {"lora", "LoRA (r = 8, q and v)", "1e-2", 1e-2},
                                   {"bottleneck", "bottleneck (width 8, s = 0.1)", "1e-2", 1e-2}};
const std::vector<double> kMasks{0.25, 0.5};

class Bench {
public:
    Bench(const Options &o, long totalRuns) : o_(o), log_(totalRuns) {}

    void run(const Case &c, const ImageTask &task)
    {
        const auto start = Clock::now();
        const auto checkpoint = openCheckpoint(c.path);
        std::printf("#### %s · %s → %s\n\n", c.task.c_str(), c.model.c_str(), task.description.c_str());
        std::printf("Fine-tuning for %d epochs, test accuracy on the %s test images, mean ± sd over seeds 0–%d:\n\n",
                    o_.epochs, thousands(task.test.count).c_str(), o_.seeds - 1);
        std::printf("| method | learning rate | trained parameters | test accuracy |\n|---|---|---|---|\n");
        std::fflush(stdout);
        std::string noLora; // why LoRA cannot run on this model, when it cannot
        for (const Method &m : kMethods) {
            AdaptRequest request;
            request.method = m.name;
            request.rank = 8;
            request.learningRate = m.learningRate;
            const MethodRuns runs = adaptOverSeeds(*checkpoint, c, o_, request, log_);
            const std::string &refused = runs.refused;
            if (!refused.empty()) {
                if (std::string(m.name) == "lora")
                    noLora = refused;
                std::printf("| %s | %s | — | not run: %s |\n", m.label, m.lrLabel, refused.c_str());
            } else
                std::printf("| %s | %s | %s | %s |\n", m.label, m.lrLabel, thousands(runs.trainable).c_str(),
                            meanSd(runs.accuracies).c_str());
            std::fflush(stdout);
        }

        // HEAT: every registered strategy at each p, and p = 0 (nothing masked) for reference.
        std::vector<std::vector<std::vector<double>>> cells; // strategy × p × seed
        std::vector<size_t> maskedCount(kMasks.size());
        int64_t heads = 0, trainable = 0;
        const std::vector<std::string> strategies = headScoreStrategyNames();
        const auto heat = [&](const std::string &strategy, double p, int seed) {
            HeadScoreRequest request;
            request.task = c.task;
            request.dataRoot = o_.data;
            request.strategy = strategy;
            request.adapter = noLora.empty() ? "lora" : "bottleneck";
            request.rank = 8;
            request.epochs = o_.epochs;
            request.seed = uint64_t(seed);
            request.config = c.sidecar;
            request.mask = p;
            request.perLayer = false;
            const auto runStart = Clock::now();
            HeadScoreRun r = scoreHeads(*checkpoint, request, {});
            heads = r.scores.layers * r.scores.heads;
            trainable = r.trainable;
            char what[64];
            std::snprintf(what, sizeof what, "heat %s p=%.2f", strategy.c_str(), p);
            log_.ran(c, what, seed, r.testAccuracy, runStart);
            return r;
        };
        for (const std::string &strategy : strategies) {
            cells.emplace_back(kMasks.size());
            for (size_t i = 0; i < kMasks.size(); ++i)
                for (int seed = 0; seed < o_.seeds; ++seed) {
                    const HeadScoreRun r = heat(strategy, kMasks[i], seed);
                    cells.back()[i].push_back(r.testAccuracy);
                    maskedCount[i] = r.masked.size();
                }
        }
        // Nothing is masked at p = 0, so the strategy does not matter: random scores cost least.
        const bool hasRandom = std::find(strategies.begin(), strategies.end(), "random") != strategies.end();
        std::vector<double> reference;
        for (int seed = 0; seed < o_.seeds; ++seed)
            reference.push_back(heat(hasRandom ? "random" : strategies.front(), 0, seed).testAccuracy);

        const std::string adapters = noLora.empty() ? "LoRA (r = 8, q and v" : "bottleneck adapters (width 8, s = 0.1";
        std::printf("\nHEAT: %s; %s trained parameters) fine-tuned %d epochs, heads scored on the 800 training "
                    "images, the lowest-scored ⌊p·%lld⌋ of the %lld heads masked (ranked across the model), %d more "
                    "epochs with them masked; test accuracy, mean ± sd over seeds 0–%d%s:\n\n",
                    adapters.c_str(), thousands(trainable).c_str(), o_.epochs, (long long)heads, (long long)heads,
                    o_.epochs, o_.seeds - 1,
                    noLora.empty() ? "" : (" (bottleneck adapters, not LoRA: " + noLora + ")").c_str());
        std::printf("| strategy");
        for (size_t i = 0; i < kMasks.size(); ++i)
            std::printf(" | p = %g (%zu heads masked)", kMasks[i], maskedCount[i]);
        std::printf(" |\n|---");
        for (size_t i = 0; i < kMasks.size(); ++i)
            std::printf("|---");
        std::printf("|\n");
        for (size_t s = 0; s < strategies.size(); ++s) {
            std::printf("| %s", strategies[s].c_str());
            for (const auto &cell : cells[s])
                std::printf(" | %s", meanSd(cell).c_str());
            std::printf(" |\n");
        }
        std::printf("\nReference, no head masked (p = 0, the same %d + %d epochs): %s. %s and %s took %s.\n\n",
                    o_.epochs, o_.epochs, meanSd(reference).c_str(), c.task.c_str(), c.model.c_str(),
                    duration(secondsSince(start)).c_str());
        std::fflush(stdout);
    }

    long ran() const { return log_.runs(); }

private:
    const Options &o_;
    RunLog log_;
};

} // namespace

int main(int argc, char **argv)
{
    const std::optional<Options> options = parseOptions(argc, argv, "bench_adaptation");
    if (!options)
        return 2;
    const Options &o = *options;
    const auto start = Clock::now();
    setComputeThreads(o.threads);
    registerBuiltinPasses();

    Cases cases;
    if (const int failed = loadCases(o, "bench_adaptation", cases))
        return failed;
    const long runsPerCase = long(kMethods.size()) * o.seeds +
                             long(headScoreStrategyNames().size() * kMasks.size() + 1) * o.seeds;
    printHeader(argc, argv, "bench_adaptation", o, cases.notes);

    Bench bench(o, runsPerCase * long(cases.cases.size()));
    try {
        for (const auto &[c, task] : cases.cases)
            bench.run(c, task);
    } catch (const std::exception &e) {
        std::cerr << "bench_adaptation: " << e.what() << "\n";
        return 1;
    }
    std::printf("Run time: %s (%ld runs).\n", duration(secondsSince(start)).c_str(), bench.ran());
    return cases.missingData ? 1 : 0;
}
