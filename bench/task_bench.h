#pragma once
// What the image-task benchmarks (bench_adaptation, bench_pear) share: their command line, the
// task/backbone cases they run (t1 and t2 on the bundled backbones, t3 on ../shared's
// vit_mnist_tiny with its sidecar), the figures' formats (mean ± sample sd over seeds), one
// line per run on stderr, and a method adapted over every seed through core/session's adapt.
//   [--tasks t1,t2,t3] [--models fashion-vit,fashion-vit-6x8] [--seeds 3] [--epochs 10]
//   [--threads 1] [--data DIR] [--quick]

#include "data/image_task.h"
#include "session/adaptation.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {
class Checkpoint;
}

namespace bench {

using Clock = std::chrono::steady_clock;

struct Options {
    std::vector<std::string> tasks{"t1", "t2", "t3"};
    std::vector<std::string> models{"fashion-vit", "fashion-vit-6x8"};
    bool modelsGiven = false;
    bool quick = false; // one seed and one epoch unless given; a bench may shorten more
    int seeds = 3, epochs = 10, threads = 1;
    std::string data; // ../shared unless --data
};

// Nothing, after saying why on stderr (with the usage, under `program`'s name), for an unknown
// option or a bad value.
std::optional<Options> parseOptions(int argc, char **argv, const std::string &program);

// "mean ± sd %" of fractions, the sample sd (n − 1); one value alone has no sd.
std::string meanSd(const std::vector<double> &values);
// "1,234,567".
std::string thousands(long long n);
double secondsSince(Clock::time_point start);
// "42 s", "3 min 07 s".
std::string duration(double seconds);

// One backbone on one task.
struct Case {
    std::string task, model, path, sidecar;
};

// Every case the options ask for, with its task loaded. A missing bundled backbone not asked
// for by name, a task whose data is missing and t3 without vit_mnist_tiny are skipped with a
// note; vit_mnist_tiny's sidecar lives in a temporary file as long as this does.
struct Cases {
    std::vector<std::pair<Case, sculpt::ImageTask>> cases;
    std::vector<std::string> notes;
    bool missingData = false; // a task was skipped for want of data: the bench exits 1
    std::string sidecarPath;

    Cases() = default;
    Cases(const Cases &) = delete;
    Cases &operator=(const Cases &) = delete;
    ~Cases();
};

// Fills `cases`; 0, or the exit code after saying why on stderr (2: a backbone asked for by
// name is absent; 1: no sidecar could be written).
int loadCases(const Options &o, const std::string &program, Cases &cases);

// Prints the run's first paragraph — the command as typed (`program` and its arguments), tasks,
// seeds, epochs, threads, data — and the notes; returns the command.
std::string printHeader(int argc, char **argv, const std::string &program, const Options &o,
                        const std::vector<std::string> &notes);

// One line per run on stderr: "[done/total] task model what seed s: test accuracy a % (t s)".
class RunLog {
public:
    explicit RunLog(long totalRuns) : total_(totalRuns) {}
    void ran(const Case &c, const std::string &what, int seed, double accuracy, Clock::time_point start);
    void skipped(long runs) { done_ += runs; } // counted towards the total, not run
    long runs() const { return ran_; }

private:
    long total_, done_ = 0, ran_ = 0;
};

// One method adapted over seeds 0..N-1 (`request`'s method, rank, experts and learning rate;
// the task, data, epochs, seed and sidecar from `c` and `o`): each seed's test accuracy and the
// trained parameters — or, when the model has no site for the method (std::invalid_argument),
// why, after which the other seeds are not tried.
struct MethodRuns {
    std::vector<double> accuracies;
    int64_t trainable = 0;
    std::string refused;
};
MethodRuns adaptOverSeeds(const sculpt::Checkpoint &checkpoint, const Case &c, const Options &o,
                          sculpt::AdaptRequest request, RunLog &runLog);

} // namespace bench
