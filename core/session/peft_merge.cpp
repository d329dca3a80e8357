#include "session/peft_merge.h"

#include "io/export_folder.h"
#include "io/formats.h"
#include "runtime/hf_export.h"
#include "runtime/model_family.h"
#include "runtime/model_tokenizer.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace sculpt {
namespace {

std::string absolute(const std::string &path) { return std::filesystem::absolute(path).lexically_normal().string(); }

} // namespace

PeftMergeResult mergePeftFolder(const PeftMergeRequest &request, const JobContext &job)
{
    ExportFolder::checkWritable(request.output);
    const auto checkpoint = openCheckpoint(request.base);
    const std::unique_ptr<Model> model = loadModel(*checkpoint, torch::kCPU, ModelOptions{request.sidecar});
    std::string tokenizer;
    if (model->kind() == ModelKind::Language)
        tokenizer = openModelTokenizer(*checkpoint, request.tokenizer, "pass --tokenizer PATH").path;
    model->hfConfigJson(); // a layout Hugging Face's config cannot say is refused before the merge

    PeftMergeResult result;
    result.load = attachPeft(*model, request.peftFolder);
    result.merged = mergeAdapters(*model);
    const nlohmann::json record = {{"peft_folder", absolute(request.peftFolder)},
                                   {"base_model", absolute(request.base)},
                                   {"merged", result.load.adaptedSites},
                                   {"modules_to_save", result.load.savedTensors}};
    writeHfFolder(*model, request.output, /*factorized=*/false, {{"sculpt_peft_merge", record.dump()}}, tokenizer, job);
    return result;
}

} // namespace sculpt
