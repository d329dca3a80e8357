#include "compress/compressed_model.h"

#include "compress/ratio.h"
#include "io/error.h"
#include "runtime/causal_lm.h"
#include "runtime/language_model.h"
#include "tensor/torch_bridge.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace sculpt {
namespace fs = std::filesystem;
namespace {

constexpr const char *kRecordKey = "sculpt_compression";

const char *formatName(ExportFormat format) { return format == ExportFormat::Factorized ? "factorized" : "dense"; }

// A folder Sculpt wrote before: replacing it loses nothing the user made by hand.
bool isEarlierExport(const fs::path &folder)
{
    std::ifstream in(folder / "config.json");
    const nlohmann::json config = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    return config.is_object() && config.contains(kRecordKey);
}

// Moves the finished temporary folder to `folder`, replacing an earlier export; the old one
// is renamed aside first so that some complete folder is under the final name at every moment
// but one rename.
void publish(const fs::path &temporary, const fs::path &folder)
{
    if (!fs::exists(folder)) {
        fs::rename(temporary, folder);
        return;
    }
    if (!fs::is_directory(folder) || !isEarlierExport(folder))
        throw FileError(folder.string(), "exists and is not an earlier Sculpt export: not overwritten");
    const fs::path old = folder.string() + ".old-" + std::to_string(getpid());
    fs::rename(folder, old);
    fs::rename(temporary, folder);
    fs::remove_all(old);
}

// Removes the temporary folder unless it was published.
struct TemporaryFolder {
    fs::path path;
    ~TemporaryFolder()
    {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

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
    const fs::path target = fs::absolute(fs::path(folder)).lexically_normal();
    const TemporaryFolder temporary{target.string() + ".partial-" + std::to_string(getpid())};
    fs::remove_all(temporary.path);
    fs::create_directories(temporary.path);

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
    job.report(0, 1, "writing " + target.filename().string());
    writeFloatSafetensors((temporary.path / "model.safetensors").string(), std::move(tensors));

    const CompressionSummary &s = impl_->summary;
    nlohmann::json config = nlohmann::json::parse(impl_->model->hfConfigJson());
    nlohmann::json ranks = nlohmann::json::object();
    for (const CompressedLayer &l : s.layers)
        ranks[l.name] = l.dense ? nlohmann::json(nullptr) : nlohmann::json(l.rank);
    config[kRecordKey] = {{"method", s.method},   {"target_ratio", s.targetRatio},
                          {"ratio", s.ratio},     {"model_ratio", s.modelRatio()},
                          {"format", formatName(format)}, {"ranks", ranks}};
    std::ofstream((temporary.path / "config.json").string()) << config.dump(2) << "\n";
    if (!tokenizerFile.empty()) {
        // Under the name the folder's tokenizer is looked for by (findTokenizer): a
        // SentencePiece model is tokenizer.model whatever it was called beside the original.
        const fs::path source(tokenizerFile);
        fs::copy_file(source, temporary.path / (source.extension() == ".model" ? fs::path("tokenizer.model") : source.filename()));
    }
    job.checkCancelled();
    publish(temporary.path, target);
    job.report(1, 1, "wrote " + target.string());
}

} // namespace sculpt
