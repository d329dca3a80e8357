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
#include "data/image_task.h"
#include "io/error.h"
#include "io/formats.h"
#include "runtime/compute_threads.h"
#include "session/adaptation.h"
#include "session/head_scores.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace sculpt;

namespace {

using Clock = std::chrono::steady_clock;

// vit_mnist_tiny's sidecar, as the README's "Running models" gives it.
constexpr const char *kMnistSidecar = R"({
  "tensor_names": "lucidrains",
  "image_size": 28, "patch_size": 7, "num_channels": 1,
  "hidden_size": 64, "num_hidden_layers": 6, "num_attention_heads": 8,
  "intermediate_size": 128, "num_labels": 10, "classifier_hidden_size": 128,
  "hidden_act": "gelu", "layer_norm_eps": 1e-5,
  "qkv_bias": false, "qkv_layout": "3 h d",
  "attention_scale": "hidden_size",
  "patch_flatten": "p1 p2 c",
  "final_norm": false,
  "rescale_factor": 0.00392156862745098,
  "image_mean": [0.1307], "image_std": [0.3081]
}
)";

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

struct Options {
    std::vector<std::string> tasks{"t1", "t2", "t3"};
    std::vector<std::string> models{"fashion-vit", "fashion-vit-6x8"};
    bool modelsGiven = false;
    int seeds = 3, epochs = 10, threads = 1;
    std::string data = SCULPT_SHARED_DIR;
};

std::vector<std::string> split(const std::string &list)
{
    std::vector<std::string> items;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty())
            items.push_back(item);
    return items;
}

std::optional<int> positive(const std::string &text, int most)
{
    try {
        size_t used = 0;
        const int n = std::stoi(text, &used);
        if (used == text.size() && n >= 1 && n <= most)
            return n;
    } catch (const std::exception &) {
    }
    return std::nullopt;
}

std::optional<Options> parse(int argc, char **argv)
{
    Options o;
    std::optional<int> seeds, epochs;
    bool quick = false;
    const auto refuse = [](const std::string &why) {
        std::cerr << "bench_adaptation: " << why
                  << " (usage: bench_adaptation [--tasks t1,t2,t3] [--models a,b] [--seeds N] [--epochs N] "
                     "[--threads N] [--data DIR] [--quick])\n";
        return std::nullopt;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            quick = true;
            continue;
        }
        if (arg != "--tasks" && arg != "--models" && arg != "--seeds" && arg != "--epochs" && arg != "--threads" &&
            arg != "--data")
            return refuse("unknown option '" + arg + "'");
        if (i + 1 >= argc)
            return refuse(arg + " needs a value");
        const std::string value = argv[++i];
        if (arg == "--tasks") {
            o.tasks = split(value);
            const std::vector<std::string> known = taskNames();
            if (o.tasks.empty())
                return refuse("--tasks needs at least one task");
            for (const std::string &t : o.tasks)
                if (std::find(known.begin(), known.end(), t) == known.end())
                    return refuse("unknown task '" + t + "' (tasks: t1, t2, t3)");
        } else if (arg == "--models") {
            o.models = split(value);
            o.modelsGiven = true;
            if (o.models.empty())
                return refuse("--models needs at least one bundled model");
        } else if (arg == "--data") {
            o.data = value;
        } else {
            const auto n = positive(value, arg == "--threads" ? 256 : 1000);
            if (!n)
                return refuse(arg + " wants a positive whole number, not '" + value + "'");
            (arg == "--seeds" ? seeds : arg == "--epochs" ? epochs : o.threads) = *n;
        }
    }
    o.seeds = seeds.value_or(quick ? 1 : 3);
    o.epochs = epochs.value_or(quick ? 1 : 10);
    return o;
}

// "mean ± sd %" of fractions, the sample sd (n − 1); one value alone has no sd.
std::string meanSd(const std::vector<double> &values)
{
    double mean = 0;
    for (double v : values)
        mean += v;
    mean /= double(values.size());
    char text[64];
    if (values.size() < 2) {
        std::snprintf(text, sizeof text, "%.2f %%", 100 * mean);
        return text;
    }
    double squares = 0;
    for (double v : values)
        squares += (v - mean) * (v - mean);
    std::snprintf(text, sizeof text, "%.2f ± %.2f %%", 100 * mean, 100 * std::sqrt(squares / double(values.size() - 1)));
    return text;
}

std::string thousands(long long n)
{
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string duration(double seconds)
{
    const long whole = std::lround(seconds);
    char text[32];
    if (whole < 120)
        std::snprintf(text, sizeof text, "%ld s", whole);
    else
        std::snprintf(text, sizeof text, "%ld min %02ld s", whole / 60, whole % 60);
    return text;
}

// One backbone on one task.
struct Case {
    std::string task, model, path, sidecar;
};

class Bench {
public:
    Bench(const Options &o, long totalRuns) : o_(o), total_(totalRuns) {}

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
            std::vector<double> accuracies;
            int64_t trainable = 0;
            std::string refused;
            for (int seed = 0; seed < o_.seeds && refused.empty(); ++seed) {
                AdaptRequest request;
                request.task = c.task;
                request.dataRoot = o_.data;
                request.method = m.name;
                request.rank = 8;
                request.epochs = o_.epochs;
                request.learningRate = m.learningRate;
                request.seed = uint64_t(seed);
                request.config = c.sidecar;
                const auto runStart = Clock::now();
                try {
                    const AdaptRun r = adapt(*checkpoint, request, {});
                    accuracies.push_back(r.testAccuracy);
                    trainable = r.trainable;
                    progress(c, std::string("adapt ") + m.name, seed, r.testAccuracy, runStart);
                } catch (const std::invalid_argument &e) {
                    // A method the model has no site for: the row says so, and the other seeds
                    // are not tried.
                    refused = e.what();
                    done_ += o_.seeds - seed;
                    std::fprintf(stderr, "%s %s adapt %s: not run: %s\n", c.task.c_str(), c.model.c_str(), m.name,
                                 refused.c_str());
                }
            }
            if (!refused.empty()) {
                if (std::string(m.name) == "lora")
                    noLora = refused;
                std::printf("| %s | %s | — | not run: %s |\n", m.label, m.lrLabel, refused.c_str());
            } else
                std::printf("| %s | %s | %s | %s |\n", m.label, m.lrLabel, thousands(trainable).c_str(),
                            meanSd(accuracies).c_str());
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
            progress(c, what, seed, r.testAccuracy, runStart);
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

    long ran() const { return ran_; }

private:
    void progress(const Case &c, const std::string &what, int seed, double accuracy, Clock::time_point start)
    {
        ++done_;
        ++ran_;
        std::fprintf(stderr, "[%ld/%ld] %s %s %s seed %d: test accuracy %.2f %% (%.1f s)\n", done_, total_,
                     c.task.c_str(), c.model.c_str(), what.c_str(), seed, 100 * accuracy, secondsSince(start));
    }

    const Options &o_;
    long total_, done_ = 0, ran_ = 0; // done_ counts the runs a refused method skipped, ran_ does not
};

} // namespace

int main(int argc, char **argv)
{
    const std::optional<Options> options = parse(argc, argv);
    if (!options)
        return 2;
    const Options &o = *options;
    const auto start = Clock::now();
    setComputeThreads(o.threads);
    registerBuiltinPasses();

    std::vector<std::string> notes;
    std::vector<std::string> backbones;
    for (const std::string &m : o.models) {
        if (std::filesystem::is_directory(SCULPT_MODELS_DIR "/" + m))
            backbones.push_back(m);
        else if (o.modelsGiven) {
            std::cerr << "bench_adaptation: no bundled model '" << m << "' in " SCULPT_MODELS_DIR "\n";
            return 2;
        } else
            notes.push_back("resources/models/" + m + " is absent: skipped.");
    }

    // vit_mnist_tiny's sidecar goes to a temporary file, removed at the end.
    char sidecarPath[] = "/tmp/bench_adaptation_sidecar_XXXXXX";
    const int fd = ::mkstemp(sidecarPath);
    if (fd < 0 || ::write(fd, kMnistSidecar, std::char_traits<char>::length(kMnistSidecar)) < 0 || ::close(fd) != 0) {
        std::cerr << "bench_adaptation: cannot write a sidecar in /tmp\n";
        return 1;
    }
    struct Remove {
        const char *path;
        ~Remove() { std::remove(path); }
    } removeSidecar{sidecarPath};

    std::vector<std::pair<Case, ImageTask>> cases;
    bool missingData = false;
    for (const std::string &t : o.tasks) {
        ImageTask task;
        try {
            task = loadTask(t, o.data);
        } catch (const FileError &e) {
            notes.push_back(t + " skipped: " + e.what());
            missingData = true;
            continue;
        }
        if (t == "t3") {
            const std::string model = o.data + "/models/vit_mnist_tiny/vit_mnist.safetensors";
            if (!std::filesystem::exists(model)) {
                notes.push_back("t3 skipped: " + model + " is absent");
                missingData = true;
                continue;
            }
            cases.push_back({Case{t, "vit_mnist_tiny", model, sidecarPath}, task});
        } else
            for (const std::string &b : backbones)
                cases.push_back({Case{t, b, SCULPT_MODELS_DIR "/" + b, ""}, task});
    }
    const long runsPerCase = long(kMethods.size()) * o.seeds +
                             long(headScoreStrategyNames().size() * kMasks.size() + 1) * o.seeds;

    std::string command = "bench_adaptation";
    for (int i = 1; i < argc; ++i)
        command += std::string(" ") + argv[i];
    std::printf("`%s`: tasks %s; seeds 0–%d; %d epochs; %d thread(s); data %s. Mean ± sample sd (n − 1) over "
                "seeds.\n\n",
                command.c_str(), [&] {
                    std::string s;
                    for (const auto &t : o.tasks)
                        s += (s.empty() ? "" : ", ") + t;
                    return s;
                }().c_str(),
                o.seeds - 1, o.epochs, o.threads, o.data.c_str());
    for (const std::string &note : notes)
        std::printf("%s\n\n", note.c_str());
    std::fflush(stdout);

    Bench bench(o, runsPerCase * long(cases.size()));
    try {
        for (const auto &[c, task] : cases)
            bench.run(c, task);
    } catch (const std::exception &e) {
        std::cerr << "bench_adaptation: " << e.what() << "\n";
        return 1;
    }
    std::printf("Run time: %s (%ld runs).\n", duration(secondsSince(start)).c_str(), bench.ran());
    return missingData ? 1 : 0;
}
