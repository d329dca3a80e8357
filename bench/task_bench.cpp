#include "task_bench.h"

#include "io/error.h"
#include "io/formats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

using namespace sculpt;

namespace bench {
namespace {

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

} // namespace

std::optional<Options> parseOptions(int argc, char **argv, const std::string &program)
{
    Options o;
    o.data = SCULPT_SHARED_DIR;
    std::optional<int> seeds, epochs;
    const auto refuse = [&](const std::string &why) {
        std::cerr << program << ": " << why << " (usage: " << program
                  << " [--tasks t1,t2,t3] [--models a,b] [--seeds N] [--epochs N] [--threads N] [--data DIR] "
                     "[--quick])\n";
        return std::nullopt;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            o.quick = true;
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
            // Not one conditional expression: mixing optional<int> and int there yields a
            // temporary, and the value would be dropped.
            if (arg == "--seeds")
                seeds = *n;
            else if (arg == "--epochs")
                epochs = *n;
            else
                o.threads = *n;
        }
    }
    o.seeds = seeds.value_or(o.quick ? 1 : 3);
    o.epochs = epochs.value_or(o.quick ? 1 : 10);
    return o;
}

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

Cases::~Cases()
{
    if (!sidecarPath.empty())
        std::remove(sidecarPath.c_str());
}

int loadCases(const Options &o, const std::string &program, Cases &cases)
{
    std::vector<std::string> backbones;
    for (const std::string &m : o.models) {
        if (std::filesystem::is_directory(SCULPT_MODELS_DIR "/" + m))
            backbones.push_back(m);
        else if (o.modelsGiven) {
            std::cerr << program << ": no bundled model '" << m << "' in " SCULPT_MODELS_DIR "\n";
            return 2;
        } else
            cases.notes.push_back("resources/models/" + m + " is absent: skipped.");
    }

    // vit_mnist_tiny's sidecar goes to a temporary file, removed with `cases`.
    std::string path = "/tmp/" + program + "_sidecar_XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd >= 0)
        cases.sidecarPath = path;
    if (fd < 0 || ::write(fd, kMnistSidecar, std::char_traits<char>::length(kMnistSidecar)) < 0 || ::close(fd) != 0) {
        std::cerr << program << ": cannot write a sidecar in /tmp\n";
        return 1;
    }

    for (const std::string &t : o.tasks) {
        ImageTask task;
        try {
            task = loadTask(t, o.data);
        } catch (const FileError &e) {
            cases.notes.push_back(t + " skipped: " + e.what());
            cases.missingData = true;
            continue;
        }
        if (t == "t3") {
            const std::string model = o.data + "/models/vit_mnist_tiny/vit_mnist.safetensors";
            if (!std::filesystem::exists(model)) {
                cases.notes.push_back("t3 skipped: " + model + " is absent");
                cases.missingData = true;
                continue;
            }
            cases.cases.push_back({Case{t, "vit_mnist_tiny", model, cases.sidecarPath}, task});
        } else
            for (const std::string &b : backbones)
                cases.cases.push_back({Case{t, b, SCULPT_MODELS_DIR "/" + b, ""}, task});
    }
    return 0;
}

std::string printHeader(int argc, char **argv, const std::string &program, const Options &o,
                        const std::vector<std::string> &notes)
{
    std::string command = program;
    for (int i = 1; i < argc; ++i)
        command += std::string(" ") + argv[i];
    std::string tasks;
    for (const auto &t : o.tasks)
        tasks += (tasks.empty() ? "" : ", ") + t;
    std::printf("`%s`: tasks %s; seeds 0–%d; %d epochs; %d thread(s); data %s. Mean ± sample sd (n − 1) over "
                "seeds.\n\n",
                command.c_str(), tasks.c_str(), o.seeds - 1, o.epochs, o.threads, o.data.c_str());
    for (const std::string &note : notes)
        std::printf("%s\n\n", note.c_str());
    std::fflush(stdout);
    return command;
}

void RunLog::ran(const Case &c, const std::string &what, int seed, double accuracy, Clock::time_point start)
{
    ++done_;
    ++ran_;
    std::fprintf(stderr, "[%ld/%ld] %s %s %s seed %d: test accuracy %.2f %% (%.1f s)\n", done_, total_, c.task.c_str(),
                 c.model.c_str(), what.c_str(), seed, 100 * accuracy, secondsSince(start));
}

MethodRuns adaptOverSeeds(const Checkpoint &checkpoint, const Case &c, const Options &o, AdaptRequest request,
                          RunLog &runLog)
{
    MethodRuns runs;
    request.task = c.task;
    request.dataRoot = o.data;
    request.epochs = o.epochs;
    request.config = c.sidecar;
    for (int seed = 0; seed < o.seeds && runs.refused.empty(); ++seed) {
        request.seed = uint64_t(seed);
        const auto runStart = Clock::now();
        try {
            const AdaptRun r = adapt(checkpoint, request, {});
            runs.accuracies.push_back(r.testAccuracy);
            runs.trainable = r.trainable;
            runLog.ran(c, "adapt " + request.method, seed, r.testAccuracy, runStart);
        } catch (const std::invalid_argument &e) {
            // A method the model has no site for: the other seeds are not tried.
            runs.refused = e.what();
            runLog.skipped(o.seeds - seed);
            std::fprintf(stderr, "%s %s adapt %s: not run: %s\n", c.task.c_str(), c.model.c_str(),
                         request.method.c_str(), runs.refused.c_str());
        }
    }
    return runs;
}

} // namespace bench
