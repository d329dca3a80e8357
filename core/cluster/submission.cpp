#include "cluster/submission.h"

#include "cluster/slurm_client.h"
#include "io/atomic_file.h"

#include <filesystem>

namespace sculpt {

RunRecord submitRun(const ClusterConfig &config, RunRecord run, BatchRequest request)
{
    const RunRecord folder = makeRunFolder(config.sharedFolder, run.kind);
    run.id = folder.id;
    run.folder = folder.folder;
    run.submitted = folder.submitted;
    request.runFolder = run.folder;
    if (run.kind == "compress") // the pass's steps, streamed back as it trains
        request.arguments.insert(request.arguments.end(), {"--log", stepLogPath(run.folder)});
    run.arguments = request.arguments;
    run.tasks = request.tasks;
    const std::string script = run.folder + "/" + run.kind + ".sbatch";
    try {
        const std::string text = batchScript(config, request);
        AtomicFile file(script);
        file.write(std::as_bytes(std::span(text.data(), text.size())));
        file.commit();
        run.slurmJob = submitBatch(script);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(run.folder, ignored);
        throw;
    }
    writeRunRecord(run);
    return run;
}

std::vector<std::string> spectraArguments(const std::string &model, int topK, const std::string &match)
{
    std::vector<std::string> arguments = {model};
    if (topK > 0)
        arguments.insert(arguments.end(), {"--topk", std::to_string(topK)});
    else
        arguments.push_back("--exact");
    if (!match.empty())
        arguments.insert(arguments.end(), {"--match", match});
    return arguments;
}

} // namespace sculpt
