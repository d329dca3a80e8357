// `sculpt-cli submit`: a model's spectra as a Slurm job array, one balanced shard a task, or a
// compression pass or an evaluation as one job. Everything that can be refused here is
// refused before the run folder is made.

#include "cluster_settings.h"
#include "commands.h"
#include "options.h"
#include "usage.h"

#include "analysis/content_hash.h"
#include "cluster/node_arguments.h"
#include "cluster/run_folder.h"
#include "cluster/sbatch_script.h"
#include "cluster/slurm_client.h"
#include "cluster/submission.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

namespace sculpt::cli {
namespace {

namespace fs = std::filesystem;

std::string absolutePath(const std::string &path) { return fs::absolute(path).lexically_normal().string(); }

// What every submission shares once its command line is known: the model opens, its workspace
// is its own and writable, Slurm is there; then submitRun().
int submitChecked(const Options &options, RunRecord run, const BatchRequest &request)
{
    const ClusterConfig config = clusterSettings(options);
    const auto checkpoint = openCheckpoint(run.model);
    run.workspace = absolutePath(options.value("--workspace", Workspace::defaultPath(run.model)));
    Workspace::open(run.workspace, {run.model, modelFingerprint(*checkpoint)}).checkWritable();
    try {
        requireSlurm();
    } catch (const SlurmError &e) {
        throw std::invalid_argument(e.what());
    }
    try {
        run = submitRun(config, run, request);
    } catch (const SlurmError &e) {
        std::cerr << "sculpt-cli submit " << run.kind << ": " << e.what() << "\n";
        return kFailed;
    }
    if (options.has("--json")) {
        const nlohmann::ordered_json out{{"id", run.id},         {"slurm_job", run.slurmJob},
                                         {"folder", run.folder}, {"tasks", run.tasks},
                                         {"workspace", run.workspace}};
        std::cout << out.dump(2) << "\n";
    } else {
        std::cout << "submitted " << run.id << " as Slurm job " << run.slurmJob << " (" << run.tasks
                  << (run.tasks == 1 ? " task" : " tasks") << "); its files: " << run.folder << "\n";
    }
    return kOk;
}

int submitSpectra(const std::vector<std::string> &args)
{
    Options options("submit spectra", {"--array", "--topk", "--match", "--workspace", "--cluster"}, {"--exact", "--json"});
    if (!options.parse(args))
        return kBadInput;
    if (options.positional().size() != 1 || !options.has("--array")) {
        std::cerr << usageOf("submit");
        return kBadInput;
    }
    const auto shards = options.count("--array", 1, 1);
    const auto topK = options.count("--topk", 0, 1);
    if (!shards || !topK)
        return kBadInput;
    if (options.has("--exact") && options.has("--topk")) {
        options.fail("--exact and --topk exclude each other");
        return kBadInput;
    }
    const std::string match = options.value("--match");
    try {
        std::regex check(match);
    } catch (const std::regex_error &e) {
        options.fail("--match '" + match + "' is not a valid regex: " + e.what());
        return kBadInput;
    }
    return options.badInputEnds([&] {
        RunRecord run;
        run.kind = "spectra";
        run.model = absolutePath(options.positional()[0]);
        run.method = *topK > 0 ? "top" + std::to_string(*topK) : "exact";
        BatchRequest request;
        request.command = "spectra";
        request.arguments = spectraArguments(run.model, int(*topK), match);
        request.tasks = int(*shards);
        request.sharded = true;
        return submitChecked(options, run, request);
    });
}

// `submit compress|eval MODEL ARGUMENTS…`: the command's own arguments pass through to the node
// as they are, but for paths made absolute (nodeArguments); submit's own (--cluster, --gpus, --workspace,
// --json) are taken out. The command checks the rest where it runs: its refusal is the failed
// job's log tail.
int submitTask(const std::string &command, const std::vector<std::string> &args)
{
    Options options("submit " + command, {"--cluster", "--gpus", "--workspace"}, {"--json"});
    std::vector<std::string> own, passed;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        const bool takesValue = arg == "--cluster" || arg == "--gpus" || arg == "--workspace";
        if (takesValue || arg == "--json") {
            own.push_back(arg);
            if (takesValue && i + 1 < args.size())
                own.push_back(args[++i]);
            continue;
        }
        if (arg == "--log") {
            options.fail("--log: a cluster pass logs its steps in its run folder (logs/steps.jsonl)");
            return kBadInput;
        }
        passed.push_back(arg);
    }
    if (!options.parse(own))
        return kBadInput;
    if (passed.empty() || passed[0].starts_with("-")) {
        std::cerr << usageOf("submit");
        return kBadInput;
    }
    const auto gpus = options.count("--gpus", -1, 0);
    if (!gpus)
        return kBadInput;
    return options.badInputEnds([&] {
        RunRecord run;
        run.kind = command;
        run.model = absolutePath(passed[0]);
        BatchRequest request;
        request.command = command;
        request.gpus = int(*gpus);
        request.arguments = nodeArguments(passed);
        request.arguments[0] = run.model;
        const auto given = [&](const std::string &option) {
            return std::find(passed.begin(), passed.end(), option) != passed.end();
        };
        if (const auto method = std::find(passed.begin(), passed.end(), "--method");
            method != passed.end() && method + 1 != passed.end())
            run.method = *(method + 1);
        if (command == "eval")
            run.method = given("--text") ? "perplexity" : given("--vqa") ? "answer accuracy" : "accuracy";
        if (*gpus > 0 && !given("--device")) // asked for a GPU: run on it
            request.arguments.insert(request.arguments.end(), {"--device", "cuda"});
        return submitChecked(options, run, request);
    });
}

} // namespace

int submit(const std::vector<std::string> &args)
{
    const std::vector<std::string> rest = args.empty() ? args : std::vector<std::string>(args.begin() + 1, args.end());
    if (!args.empty() && args[0] == "spectra")
        return submitSpectra(rest);
    if (!args.empty() && (args[0] == "compress" || args[0] == "eval"))
        return submitTask(args[0], rest);
    if (args.empty())
        std::cerr << usageOf("submit");
    else
        std::cerr << "sculpt-cli submit: submits spectra, compress or eval, not '" << args[0] << "'\n";
    return kBadInput;
}

} // namespace sculpt::cli
