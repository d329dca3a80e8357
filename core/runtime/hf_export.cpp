#include "runtime/hf_export.h"

#include "io/atomic_file.h"
#include "io/error.h"
#include "io/export_folder.h"
#include "runtime/model.h"
#include "tensor/torch_bridge.h"

#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

namespace sculpt {
namespace fs = std::filesystem;

void writeHfFolder(Model &model, const std::string &folder, bool factorized,
                   const std::vector<std::pair<std::string, std::string>> &records, const std::string &tokenizerFile,
                   const JobContext &job)
{
    c10::InferenceMode inference;
    nlohmann::json config = nlohmann::json::parse(model.hfConfigJson()); // refuses a layout HF cannot hold, before any file
    for (const auto &[key, json] : records)
        config[key] = nlohmann::json::parse(json);
    ExportFolder out(folder);

    job.checkCancelled();
    job.report(0, 1, "writing " + out.path());
    writeFloatSafetensors(out.file("model.safetensors"), model.checkpointTensors(factorized));
    const std::string configText = config.dump(2) + "\n";
    AtomicFile configFile(out.file("config.json"));
    configFile.write(std::as_bytes(std::span(configText)));
    configFile.commit();
    for (const auto &[name, text] : model.folderFiles()) {
        AtomicFile file(out.file(name));
        file.write(std::as_bytes(std::span(text)));
        file.commit();
    }
    if (!tokenizerFile.empty()) {
        // Under the name the folder's tokenizer is looked for by (findTokenizer): a
        // SentencePiece model is tokenizer.model whatever it was called beside the original.
        const fs::path source(tokenizerFile);
        std::error_code error;
        fs::copy_file(source, out.file(source.extension() == ".model" ? "tokenizer.model" : source.filename().string()),
                      error);
        if (error)
            throw FileError(tokenizerFile, "cannot copy it into the export: " + error.message());
    }
    job.checkCancelled();
    out.commit();
    job.report(1, 1, "wrote " + out.path());
}

} // namespace sculpt
