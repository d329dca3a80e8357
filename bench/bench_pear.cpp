// The Pear and Lily tables of the README (issue 13), over several seeds. Per task and backbone:
// test accuracy (mean ± sample sd over seeds 0..N-1) and trained parameters of LoRA, Lily and
// bottleneck adapters, as `sculpt-cli adapt` runs them; then Pear as `sculpt-cli pear` runs it
// (LoRA r = 8 on q and v and the classifier fine-tuned E epochs — the warm-up — every adapter
// scored, the lowest-scored fraction p pruned across the model, E more epochs) at p = 0.25, 0.5
// and 0.75, sharing by depth or not and with the knowledge checkpoint or not (neither: plain
// pruning), sharing by output with the checkpoint at p = 0.5, and the same run at p = 0
// (nothing pruned, the same E + E epochs) as the reference: the unpruned adapters. Everything
// runs through core/session's adapt and pruneAdapters: nothing here trains.
//   build-bench/bench/bench_pear [--tasks t1,t2,t3] [--models fashion-vit,fashion-vit-6x8]
//       [--seeds 3] [--epochs 10] [--threads 1] [--data DIR] [--quick]
// Tasks and backbones as bench_adaptation's (task_bench.h): t1 (MNIST) and t2 (OpenCV's digits)
// on the bundled backbones, t3 (Fashion-MNIST) on ../shared's vit_mnist_tiny. A method a model
// has no site for is reported as not run, and Pear then prunes bottleneck adapters.
// --quick: one seed, one epoch, Pear at p = 0.5 only. Prints Markdown on stdout, one line per
// run on stderr.

#include "builtin_passes.h"
#include "io/formats.h"
#include "runtime/compute_threads.h"
#include "session/adaptation.h"
#include "session/adapter_pruning.h"
#include "task_bench.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sculpt;
using namespace bench;

namespace {

struct Method {
    const char *name, *label;
};

const std::vector<Method> kAdapters{{"lora", "LoRA (r = 8, q and v)"},
                                    {"lily", "Lily (r = 8, q and v, 4 experts)"},
                                    {"bottleneck", "bottleneck (width 8, s = 0.1)"}};

// One way of pruning: its share rule ("none": the pruned positions are left empty) and whether
// the knowledge checkpoint keeps the pruned adapters frozen in place.
struct Pruning {
    const char *label, *share;
    bool checkpoint;
    bool everyP; // false: at p = 0.5 only
};

const std::vector<Pruning> kPrunings{{"share depth + knowledge checkpoint", "depth", true, true},
                                     {"share depth, no checkpoint", "depth", false, true},
                                     {"no share + knowledge checkpoint", "none", true, true},
                                     {"no share, no checkpoint (plain pruning)", "none", false, true},
                                     {"share output + knowledge checkpoint", "output", true, false}};
const std::vector<double> kPrune{0.25, 0.5, 0.75};

std::vector<double> pruneFractions(const Options &o) { return o.quick ? std::vector<double>{0.5} : kPrune; }

// Every (p, pruning) cell the table has, p = 0 (the reference) first.
struct Cell {
    double p;
    const Pruning *pruning; // nullptr: the reference, nothing pruned
};

std::vector<Cell> cellsOf(const Options &o)
{
    std::vector<Cell> cells{{0, nullptr}};
    for (double p : pruneFractions(o))
        for (const Pruning &m : kPrunings)
            if (m.everyP || p == 0.5)
                cells.push_back({p, &m});
    return cells;
}

// What one cell's runs gave.
struct Runs {
    std::vector<double> test, prunedValidation;
    std::vector<int64_t> adaptersAfter, trainable;
    size_t positions = 0, pruned = 0;
    int64_t adaptersBefore = 0;
    std::string refused;
};

std::string mean(const std::vector<double> &values)
{
    double sum = 0;
    for (double v : values)
        sum += v;
    char text[32];
    std::snprintf(text, sizeof text, "%.2f %%", 100 * sum / double(values.size()));
    return text;
}

// The count, or "least–most" when seeds differ (which positions are pruned depends on the seed).
std::string counts(const std::vector<int64_t> &values)
{
    const auto [least, most] = std::minmax_element(values.begin(), values.end());
    return *least == *most ? thousands(*least) : thousands(*least) + "–" + thousands(*most);
}

class Bench {
public:
    Bench(const Options &o, long totalRuns) : o_(o), log_(totalRuns) {}

    void run(const Case &c, const ImageTask &task)
    {
        const auto start = Clock::now();
        const auto checkpoint = openCheckpoint(c.path);
        std::printf("#### %s · %s → %s\n\n", c.task.c_str(), c.model.c_str(), task.description.c_str());
        std::printf("Fine-tuning for %d epochs at learning rate 1e-2, test accuracy on the %s test images, mean ± sd "
                    "over seeds 0–%d:\n\n",
                    o_.epochs, thousands(task.test.count).c_str(), o_.seeds - 1);
        std::printf("| adapters | trained parameters | test accuracy |\n|---|---|---|\n");
        std::fflush(stdout);
        std::string noLora; // why LoRA cannot run on this model, when it cannot
        for (const Method &m : kAdapters) {
            AdaptRequest request;
            request.method = m.name;
            request.rank = 8;
            request.experts = 4;
            request.learningRate = 1e-2;
            const MethodRuns runs = adaptOverSeeds(*checkpoint, c, o_, request, log_);
            if (!runs.refused.empty()) {
                if (std::string(m.name) == "lora")
                    noLora = runs.refused;
                std::printf("| %s | — | not run: %s |\n", m.label, runs.refused.c_str());
            } else
                std::printf("| %s | %s | %s |\n", m.label, thousands(runs.trainable).c_str(),
                            meanSd(runs.accuracies).c_str());
            std::fflush(stdout);
        }

        // Pear: every cell over the seeds, the reference (p = 0) first.
        const std::string adapter = noLora.empty() ? "lora" : "bottleneck";
        const std::vector<Cell> cells = cellsOf(o_);
        std::vector<Runs> results;
        for (const Cell &cell : cells)
            results.push_back(pear(c, *checkpoint, adapter, cell));

        const Runs &reference = results.front();
        const std::string adapters = noLora.empty() ? "LoRA (r = 8, q and v" : "bottleneck adapters (width 8, s = 0.1";
        std::printf("\nPear: %s; %zu adapters, %s adapter parameters) and the classifier fine-tuned %d epochs, every "
                    "adapter scored by its first-order Taylor importance on the 800 training images, the "
                    "lowest-scored ⌊p·%zu⌋ pruned (ranked across the model), %d more epochs; test accuracy, mean ± sd "
                    "over seeds 0–%d%s. *Right after pruning*: validation accuracy (200 images) before training on, "
                    "mean. *Adapter parameters after*: what an adapter folder holds after pruning, each shared "
                    "tensor once — the kept adapters, the sharing scales and, with the knowledge checkpoint, the "
                    "pruned adapters' factors, kept frozen: an adapter-only export must still hold them unless "
                    "merged into the weights, so the checkpoint saves what trains, not what is stored. *Trained*: "
                    "what trains after pruning (the kept adapters, the scales, the classifier).\n\n",
                    adapters.c_str(), reference.positions, thousands(reference.adaptersBefore).c_str(), o_.epochs,
                    reference.positions, o_.epochs, o_.seeds - 1,
                    noLora.empty() ? "" : (" (bottleneck adapters, not LoRA: " + noLora + ")").c_str());
        std::printf("| p (pruned) | pruning | test accuracy | right after pruning | adapter parameters after | trained "
                    "|\n|---|---|---|---|---|---|\n");
        for (size_t i = 0; i < cells.size(); ++i) {
            const Cell &cell = cells[i];
            const Runs &r = results[i];
            char p[48];
            std::snprintf(p, sizeof p, "%g (%zu of %zu)", cell.p, r.pruned, r.positions);
            const char *label = cell.pruning ? cell.pruning->label : "the unpruned adapters";
            if (!r.refused.empty())
                std::printf("| %g | %s | not run: %s | — | — | — |\n", cell.p, label, r.refused.c_str());
            else
                std::printf("| %s | %s | %s | %s | %s | %s |\n", p, label, meanSd(r.test).c_str(),
                            mean(r.prunedValidation).c_str(), counts(r.adaptersAfter).c_str(),
                            counts(r.trainable).c_str());
        }
        std::printf("\nThe unpruned adapters train the same %d + %d epochs (p = 0: nothing pruned). %s and %s took "
                    "%s.\n\n",
                    o_.epochs, o_.epochs, c.task.c_str(), c.model.c_str(), duration(secondsSince(start)).c_str());
        std::fflush(stdout);
    }

    long ran() const { return log_.runs(); }

private:
    // One cell over the seeds; a request the method refuses stops it (the other seeds are not tried).
    Runs pear(const Case &c, const Checkpoint &checkpoint, const std::string &adapter, const Cell &cell)
    {
        Runs runs;
        for (int seed = 0; seed < o_.seeds && runs.refused.empty(); ++seed) {
            PruneAdaptersRequest request;
            request.task = c.task;
            request.dataRoot = o_.data;
            request.config = c.sidecar;
            request.method = "pear";
            request.adapter = adapter;
            request.rank = 8;
            request.warmup = o_.epochs;
            request.epochs = o_.epochs;
            request.learningRate = 1e-2;
            request.seed = uint64_t(seed);
            request.prune = cell.p;
            // Nothing is pruned at p = 0, so neither sharing nor the checkpoint matters: plain
            // pruning costs least (the output rule would run calibration images).
            request.share = cell.pruning ? cell.pruning->share : "none";
            request.knowledgeCheckpoint = cell.pruning && cell.pruning->checkpoint;
            char what[96];
            std::snprintf(what, sizeof what, "pear share=%s%s p=%.2f", request.share.c_str(),
                          request.knowledgeCheckpoint ? "+checkpoint" : "", cell.p);
            const auto runStart = Clock::now();
            try {
                const PruneAdaptersRun r = pruneAdapters(checkpoint, request, {});
                runs.test.push_back(r.testAccuracy);
                runs.prunedValidation.push_back(r.prunedValidationAccuracy);
                runs.adaptersAfter.push_back(r.adapterParametersAfter);
                runs.trainable.push_back(r.trainable);
                runs.adaptersBefore = r.adapterParametersBefore;
                runs.positions = r.sharing.pruned.size();
                runs.pruned = size_t(std::count(r.sharing.pruned.begin(), r.sharing.pruned.end(), true));
                log_.ran(c, what, seed, r.testAccuracy, runStart);
            } catch (const std::invalid_argument &e) {
                runs.refused = e.what();
                log_.skipped(o_.seeds - seed);
                std::fprintf(stderr, "%s %s %s: not run: %s\n", c.task.c_str(), c.model.c_str(), what,
                             runs.refused.c_str());
            }
        }
        return runs;
    }

    const Options &o_;
    RunLog log_;
};

} // namespace

int main(int argc, char **argv)
{
    const std::optional<Options> options = parseOptions(argc, argv, "bench_pear");
    if (!options)
        return 2;
    const Options &o = *options;
    const auto start = Clock::now();
    setComputeThreads(o.threads);
    registerBuiltinPasses();

    Cases cases;
    if (const int failed = loadCases(o, "bench_pear", cases))
        return failed;
    const long runsPerCase = long(kAdapters.size() + cellsOf(o).size()) * o.seeds;
    const std::string command = printHeader(argc, argv, "bench_pear", o, cases.notes);

    Bench bench(o, runsPerCase * long(cases.cases.size()));
    try {
        for (const auto &[c, task] : cases.cases)
            bench.run(c, task);
    } catch (const std::exception &e) {
        std::cerr << "bench_pear: " << e.what() << "\n";
        return 1;
    }
    std::printf("`%s`: %ld runs in %s.\n", command.c_str(), bench.ran(), duration(secondsSince(start)).c_str());
    return cases.missingData ? 1 : 0;
}
