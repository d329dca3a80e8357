#include "compress/compressed_model.h"

#include "compress/ratio.h"
#include "io/atomic_file.h"
#include "io/error.h"
#include "io/export_folder.h"
#include "runtime/causal_lm.h"
#include "runtime/language_model.h"
#include "tensor/torch_bridge.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace sculpt {
namespace fs = std::filesystem;
namespace {

constexpr const char *kRecordKey = "sculpt_compression";

const char *formatName(ExportFormat format) { return format == ExportFormat::Factorized ? "factorized" : "dense"; }

} // namespace

struct CompressedModel::Impl {
    std::shared_ptr<CausalLm> model;
    std::unique_ptr<LanguageModel> language;
    CompressionSummary summary;
};

CompressedModel::CompressedModel(std::shared_ptr<CausalLm> model, CompressionSummary summary)
{
    std::vector<LayerSize> sizes;
    int64_t targeted = 0, stored = 0;
    for (const CompressedLayer &l : summary.layers) {
        sizes.push_back({l.rows, l.cols, l.rank});
        targeted += l.rows * l.cols;
        stored += storedParameters(sizes.back());
    }
    int64_t others = 0, biases = 0;
    for (const auto &[name, tensor] : model->otherTensors())
        others += tensor.numel();
    for (const Projection &p : model->projections())
        biases += p.linear->bias().defined() ? p.linear->bias().numel() : 0;
    summary.ratio = ratioRemoved(sizes);
    summary.parametersBefore = others + biases + targeted;
    summary.parametersAfter = others + biases + stored;

    auto impl = std::make_shared<Impl>();
    impl->language = wrapLanguageModel(model);
    impl->model = std::move(model);
    impl->summary = std::move(summary);
    impl_ = std::move(impl);
}

const CompressionSummary &CompressedModel::summary() const { return impl_->summary; }
const LanguageModel &CompressedModel::languageModel() const { return *impl_->language; }
void CompressedModel::recordRunTime(double seconds) { impl_->summary.seconds = seconds; }

void CompressedModel::write(const std::string &folder, ExportFormat format, const std::string &tokenizerFile,
                            const JobContext &job) const
{
    c10::InferenceMode inference;
    ExportFolder out(folder);

    std::vector<std::pair<std::string, torch::Tensor>> tensors = impl_->model->otherTensors();
    for (const Projection &p : impl_->model->projections()) {
        job.checkCancelled();
        if (format == ExportFormat::Factorized && p.linear->isLowRank()) {
            const Linear::Factors f = p.linear->factors();
            tensors.emplace_back(p.name + ".weight_a", f.a);
            tensors.emplace_back(p.name + ".weight_b", f.b);
        } else {
            const torch::Tensor w = p.linear->weight();
            tensors.emplace_back(p.name + ".weight", impl_->model->storesProjectionsTransposed() ? w.t() : w);
        }
        if (p.linear->bias().defined())
            tensors.emplace_back(p.name + ".bias", p.linear->bias());
    }
    job.report(0, 1, "writing " + out.path());
    writeFloatSafetensors(out.file("model.safetensors"), std::move(tensors));

    const CompressionSummary &s = impl_->summary;
    nlohmann::json config = nlohmann::json::parse(impl_->model->hfConfigJson());
    nlohmann::json ranks = nlohmann::json::object();
    for (const CompressedLayer &l : s.layers)
        ranks[l.name] = l.dense ? nlohmann::json(nullptr) : nlohmann::json(l.rank);
    config[kRecordKey] = {{"method", s.method},   {"target_ratio", s.targetRatio},
                          {"ratio", s.ratio},     {"model_ratio", s.modelRatio()},
                          {"format", formatName(format)}, {"ranks", ranks}};
    const std::string configText = config.dump(2) + "\n";
    AtomicFile configFile(out.file("config.json"));
    configFile.write(std::as_bytes(std::span(configText)));
    configFile.commit();
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
