// The cluster path's overhead (issue 16): a LLaMA-shaped model's spectra as a local
// `sculpt-cli spectra` run, the baseline measured in the same run, against `submit spectra
// --array 2` on a one-node Slurm on this same machine (tests/common/slurm_cluster.h, started as
// root), timed from submission to the merged workspace: submission, queued (until a poll sees a
// task start), running (until a poll sees every task ended) and `jobs --merge`. The merged
// workspace must hold what the local run's does, spectrum by spectrum, or the benchmark fails:
// a timing of a failed array would mean nothing. Three rounds by default, each a local run then
// an array, on a noisy shared machine; every figure's median over the rounds is printed too.
//
//   bench_cluster [--quick] [--topk K | --exact] [--match REGEX] [--poll SECONDS] [--rounds N]
//
// The default method is the randomized top-64: the cluster path's costs do not depend on the
// method, and a randomized run keeps the compute short enough for them to show.

#include "bench_support.h"
#include "llama_checkpoint.h"
#include "slurm_cluster.h"

#include "analysis/content_hash.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "workspace/workspace.h"

#include <QCoreApplication>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr int kShards = 2;
constexpr double kGiveUpSeconds = 3 * 3600;
constexpr bench::ModelShape kQuick{"TinyLlama-1.1B (4 of 22 layers)", 2048, 5632, 4, 256, 32000, 2};

struct Options {
    const bench::ModelShape *shape = &bench::kTinyLlama;
    std::vector<std::string> method{"--topk", "64"};
    std::vector<std::string> match; // empty, or {"--match", REGEX}
    double pollSeconds = 0.5;
    int rounds = 3;
};

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct CliCall {
    double seconds;
    std::string out;
};

// The bench's environment carries the cluster's SLURM_CONF, so every sculpt-cli reaches it.
CliCall sculptCli(bench::ScratchDir &scratch, std::vector<std::string> args)
{
    args.insert(args.begin(), SCULPT_CLI_PATH);
    const std::string out = scratch.file("cli.out"), err = scratch.file("cli.err");
    const bench::ChildRun run = bench::runChild(args, out, err);
    return {run.seconds, bench::readFile(out)};
}

std::vector<std::string> spectraArgs(const Options &options, std::vector<std::string> args)
{
    args.insert(args.end(), options.method.begin(), options.method.end());
    args.insert(args.end(), options.match.begin(), options.match.end());
    return args;
}

bool stillGoing(const json &run) { return !run.value("ended", false); }

bool anyTaskStarted(const json &run)
{
    for (const json &task : run.value("tasks", json::array()))
        if (task.value("state", "PENDING") != "PENDING")
            return true;
    return false;
}

json runOf(bench::ScratchDir &scratch, const std::string &config, const std::string &id)
{
    const json jobs = json::parse(sculptCli(scratch, {"jobs", "--cluster", config, "--json"}).out);
    for (const json &run : jobs.at("runs"))
        if (run.value("id", "") == id)
            return run;
    throw std::runtime_error("`sculpt-cli jobs` does not list run " + id);
}

struct ClusterRun {
    double submission = 0, queued = 0, running = 0, merge = 0;
    double total() const { return submission + queued + running + merge; }
};

struct Polled {
    double queued = 0, running = 0;
    json run; // as the last poll saw it
};

// Polls `jobs` every pollSeconds until every task has ended; each poll's own time counts, as a
// user's would, and a phase ends at the poll that saw it end.
Polled pollUntilEnded(bench::ScratchDir &scratch, const Options &options, const std::string &config,
                      const std::string &id)
{
    Polled polled;
    const Clock::time_point submitted = Clock::now();
    std::optional<Clock::time_point> started;
    for (;;) {
        const Clock::time_point poll = Clock::now();
        polled.run = runOf(scratch, config, id);
        if (!started && (anyTaskStarted(polled.run) || !stillGoing(polled.run))) {
            started = Clock::now();
            polled.queued = std::chrono::duration<double>(*started - submitted).count();
        }
        if (!stillGoing(polled.run)) {
            polled.running = since(*started);
            return polled;
        }
        if (since(submitted) > kGiveUpSeconds)
            throw std::runtime_error("the array did not end within " + std::to_string(int(kGiveUpSeconds)) + " s");
        std::this_thread::sleep_until(poll + std::chrono::duration<double>(options.pollSeconds));
    }
}

ClusterRun runOnCluster(bench::ScratchDir &scratch, const Options &options, const std::string &model,
                        const std::string &workspace, const std::string &config)
{
    const CliCall submitted = sculptCli(
        scratch, spectraArgs(options, {"submit", "spectra", model, "--array", std::to_string(kShards), "--workspace",
                                       workspace, "--cluster", config, "--json"}));
    const Polled polled = pollUntilEnded(scratch, options, config, json::parse(submitted.out).at("id"));
    if (polled.run.value("state", "") != "COMPLETED" || polled.run.value("done", 0) != kShards)
        throw std::runtime_error("the array did not complete:\n" + polled.run.dump(2));
    const CliCall merged = sculptCli(scratch, {"jobs", "--merge", "--cluster", config, "--json"});
    return {submitted.seconds, polled.queued, polled.running, merged.seconds};
}

// Every tensor the local run stored, with the same methods and the same singular values, is in
// the merged workspace, and nothing else; returns the number of spectra compared.
int checkSameSpectra(const std::string &model, const std::string &local, const std::string &merged)
{
    const auto checkpoint = sculpt::openCheckpoint(model);
    const sculpt::ModelIdentity identity{model, sculpt::modelFingerprint(*checkpoint)};
    const sculpt::Workspace expected = sculpt::Workspace::open(local, identity);
    const sculpt::Workspace got = sculpt::Workspace::open(merged, identity);
    if (expected.tensors().empty() || got.tensors() != expected.tensors())
        throw std::runtime_error("the merged workspace holds other tensors than the local run's");
    int spectra = 0;
    for (const std::string &tensor : expected.tensors()) {
        const std::string hash = sculpt::contentHash(checkpoint->bytes(checkpoint->at(tensor)));
        const std::vector<std::string> methods = expected.methods(tensor, hash);
        if (got.methods(tensor, hash) != methods)
            throw std::runtime_error(tensor + ": the merged workspace holds other methods");
        for (const std::string &method : methods) {
            const auto a = expected.spectrum(tensor, method, hash), b = got.spectrum(tensor, method, hash);
            if (!a || !b || a->singularValues != b->singularValues)
                throw std::runtime_error(tensor + " (" + method + "): the merged spectrum differs from the local one");
            ++spectra;
        }
    }
    return spectra;
}

// A shared folder per round: `jobs` and `--merge` visit every run in theirs, and earlier rounds'
// runs would add to a later round's polls and merge.
std::string writeClusterConfig(bench::ScratchDir &scratch, const sculpt::test::SlurmCluster &cluster, int round)
{
    const std::string path = scratch.path() + "/cluster-" + std::to_string(round) + ".json";
    std::ofstream(path) << json{{"shared_folder", scratch.path() + "/shared-" + std::to_string(round)},
                                {"sculpt_cli", SCULPT_CLI_PATH},
                                {"partition", cluster.partition().toStdString()}}
                               .dump(2);
    return path;
}

// sbatch and squeue, run by sculpt-cli, find the cluster through its environment.
void joinCluster(const sculpt::test::SlurmCluster &cluster)
{
    const QProcessEnvironment env = cluster.environment();
    for (const QString &name : env.keys())
        ::setenv(name.toLocal8Bit().constData(), env.value(name).toLocal8Bit().constData(), 1);
}

std::string join(const std::vector<std::string> &words)
{
    std::string text;
    for (const std::string &word : words)
        text += (text.empty() ? "" : " ") + word;
    return text;
}

struct Round {
    double local = 0;
    ClusterRun cluster;
    double overhead() const { return cluster.total() - cluster.running; }
};

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// local, cluster, its four phases, ratio, overhead in seconds and as a fraction of local.
std::vector<double> columns(const Round &r)
{
    const ClusterRun &c = r.cluster;
    return {r.local, c.total(), c.submission, c.queued, c.running, c.merge, c.total() / r.local, r.overhead(),
            r.overhead() / r.local};
}

// Each column's own median over the rounds, so the ratio is the median of the rounds' ratios.
std::vector<double> medianColumns(const std::vector<Round> &rounds)
{
    std::vector<double> medians;
    for (size_t column = 0; column < columns(rounds.front()).size(); ++column) {
        std::vector<double> values;
        for (const Round &r : rounds)
            values.push_back(columns(r)[column]);
        medians.push_back(median(values));
    }
    return medians;
}

void printRow(const std::string &label, const std::vector<double> &c)
{
    std::printf("%-8s %8.2f %9.2f %8.2f %8.2f %8.2f %8.2f %7.2fx %8.2f %8.2f\n", label.c_str(), c[0], c[1], c[2], c[3],
                c[4], c[5], c[6], c[7], c[8]);
}

void printRounds(const Options &options, const std::vector<Round> &rounds)
{
    std::printf("\nseconds; local: sculpt-cli spectra %s; cluster: submit spectra --array %d until jobs --merge ends\n",
                join(options.method).c_str(), kShards);
    std::printf("%-8s %8s %9s %8s %8s %8s %8s %8s %8s %8s\n", "round", "local", "cluster", "submit", "queued",
                "running", "merge", "ratio", "overhead", "/local");
    for (size_t i = 0; i < rounds.size(); ++i)
        printRow(std::to_string(i + 1), columns(rounds[i]));
    printRow("median", medianColumns(rounds));
    std::printf("\nqueued: until a poll saw a task start; running: until a poll saw every task ended; `jobs` polled\n"
                "every %.2f s, so each edge is known to within that. overhead: cluster - running (submission,\n"
                "queueing, polling and merge), also as a fraction of the local run. ratio: cluster / local.\n",
                options.pollSeconds);
    std::printf("\nOne node, %u cores: the two tasks run side by side, but the local run already keeps every core\n"
                "busy (spectra runs a worker per core, and so does each task, with no cgroup binding here), so\n"
                "a ratio near or above 1 is expected on this machine; a cluster's gain comes from more nodes.\n",
                std::thread::hardware_concurrency());
}

// One local run and one array, each into a workspace of its own, checked against each other.
Round runRound(bench::ScratchDir &scratch, const Options &options, const std::string &model,
               const std::string &config, int round)
{
    const std::string local = scratch.path() + "/local-" + std::to_string(round) + ".h5";
    const std::string merged = scratch.path() + "/merged-" + std::to_string(round) + ".h5";
    Round r;
    r.local = sculptCli(scratch, spectraArgs(options, {"spectra", model, "--workspace", local})).seconds;
    r.cluster = runOnCluster(scratch, options, model, merged, config);
    const int spectra = checkSameSpectra(model, local, merged);
    std::printf("round %d: the merged workspace holds the local run's %d spectra, value for value\n", round, spectra);
    std::fflush(stdout);
    return r;
}

int run(const Options &options)
{
    bench::ScratchDir scratch;
    const bench::ModelShape &shape = *options.shape;
    const double available = bench::freeGb(scratch.path());
    if (available < shape.minFreeGb) {
        std::fprintf(stderr, "bench_cluster: %s needs %.0f GB free in /tmp, there are %.1f GB\n", shape.name,
                     shape.minFreeGb, available);
        return 1;
    }
    sculpt::test::SlurmCluster cluster(QString::fromStdString(scratch.path()));
    QString why;
    const Clock::time_point clusterStart = Clock::now();
    if (!cluster.start(&why)) {
        std::printf("bench_cluster: skipped, no Slurm cluster: %s\n", qPrintable(why));
        return 0;
    }
    std::printf("cluster: one-node Slurm on this machine, up in %.1f s\n", since(clusterStart));
    joinCluster(cluster);
    const std::string startLoad = bench::loadAverage();

    const std::string model = scratch.file("model.safetensors");
    const Clock::time_point writeStart = Clock::now();
    const uint64_t bytes = bench::writeModel(model, bench::llamaTensors(shape));
    std::printf("model: %s shapes, fp16 N(0, %.2f), %.3g GB, written in %.1f s\n", shape.name, bench::kWeightScale,
                double(bytes) / 1e9, since(writeStart));
    std::printf("method: %s%s%s\n", join(options.method).c_str(), options.match.empty() ? "" : " ",
                join(options.match).c_str());
    std::fflush(stdout);

    std::vector<Round> rounds;
    for (int round = 1; round <= options.rounds; ++round)
        rounds.push_back(runRound(scratch, options, model, writeClusterConfig(scratch, cluster, round), round));
    printRounds(options, rounds);
    std::printf("%s at the start, %s at the end\n", startLoad.c_str(), bench::loadAverage().c_str());
    return 0;
}

bool parse(int argc, char **argv, Options &options)
{
    for (int i = 1; i < argc; ++i) {
        const bool hasValue = i + 1 < argc;
        if (std::strcmp(argv[i], "--quick") == 0)
            options.shape = &kQuick;
        else if (std::strcmp(argv[i], "--exact") == 0)
            options.method = {"--exact"};
        else if (std::strcmp(argv[i], "--topk") == 0 && hasValue)
            options.method = {"--topk", argv[++i]};
        else if (std::strcmp(argv[i], "--match") == 0 && hasValue)
            options.match = {"--match", argv[++i]};
        else if (std::strcmp(argv[i], "--rounds") == 0 && hasValue && std::atoi(argv[i + 1]) > 0)
            options.rounds = std::atoi(argv[++i]);
        else if (std::strcmp(argv[i], "--poll") == 0 && hasValue && std::atof(argv[i + 1]) > 0)
            options.pollSeconds = std::atof(argv[++i]);
        else
            return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    // SlurmCluster's QProcesses run, as in the tests that use it, under an application object.
    QCoreApplication app(argc, argv);
    Options options;
    if (!parse(argc, argv, options)) {
        std::fprintf(stderr, "usage: bench_cluster [--quick] [--topk K | --exact] [--match REGEX] [--poll SECONDS] [--rounds N]\n");
        return 2;
    }
    try {
        return run(options);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_cluster: %s\n", e.what());
        return 1;
    }
}
