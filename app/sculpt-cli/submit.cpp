// `sculpt-cli submit spectra`: a model's spectra as a Slurm job array, one balanced shard a
// task. Everything that can be refused here is refused before the run folder is made.

#include "cluster_settings.h"
#include "commands.h"
#include "options.h"
#include "usage.h"

#include "analysis/content_hash.h"
#include "cluster/run_folder.h"
#include "cluster/sbatch_script.h"
#include "cluster/slurm_client.h"
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "workspace/workspace.h"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

namespace sculpt::cli {
namespace {

namespace fs = std::filesystem;

void writeScript(const std::string &path, const std::string &text)
{
    AtomicFile file(path);
    file.write(std::as_bytes(std::span(text.data(), text.size())));
    file.commit();
}

} // namespace

int submit(const std::vector<std::string> &args)
{
    if (args.empty() || args[0] != "spectra") {
        std::cerr << usageOf("submit");
        return kBadInput;
    }
    Options options("submit spectra", {"--array", "--topk", "--match", "--workspace", "--cluster"}, {"--exact", "--json"});
    if (!options.parse({args.begin() + 1, args.end()}))
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
        const ClusterConfig config = clusterSettings(options);
        SpectraArrayRequest request;
        request.model = fs::absolute(options.positional()[0]).lexically_normal().string();
        request.shards = int(*shards);
        request.topK = int(*topK);
        request.match = match;
        // The model opens, and the workspace its parts come home to is its own and writable.
        const auto checkpoint = openCheckpoint(request.model);
        const std::string workspacePath =
            fs::absolute(options.value("--workspace", Workspace::defaultPath(request.model))).string();
        Workspace::open(workspacePath, {request.model, modelFingerprint(*checkpoint)}).checkWritable();
        try {
            requireSlurm();
        } catch (const SlurmError &e) {
            throw std::invalid_argument(e.what());
        }

        RunRecord run = makeRunFolder(config.sharedFolder, "spectra");
        run.model = request.model;
        run.workspace = workspacePath;
        run.method = request.topK > 0 ? "top" + std::to_string(request.topK) : "exact";
        run.match = match;
        run.shards = request.shards;
        request.runFolder = run.folder;
        const std::string script = run.folder + "/spectra.sbatch";
        writeScript(script, spectraArrayScript(config, request));
        try {
            run.slurmJob = submitBatch(script);
        } catch (const SlurmError &e) {
            // Nothing runs: no run for `jobs` to list.
            std::error_code ignored;
            fs::remove_all(run.folder, ignored);
            std::cerr << "sculpt-cli submit spectra: " << e.what() << "\n";
            return kFailed;
        }
        writeRunRecord(run);
        if (options.has("--json")) {
            const nlohmann::ordered_json out{{"id", run.id},         {"slurm_job", run.slurmJob},
                                             {"folder", run.folder}, {"shards", run.shards},
                                             {"workspace", run.workspace}};
            std::cout << out.dump(2) << "\n";
        } else {
            std::cout << "submitted " << run.id << " as Slurm job " << run.slurmJob << " (" << run.shards
                      << " tasks); its files: " << run.folder << "\n";
        }
        return kOk;
    });
}

} // namespace sculpt::cli
