#include "compress/compressed_model.h"

#include "compress/ratio.h"
#include "runtime/hf_export.h"
#include "runtime/image_classifier.h"
#include "runtime/language_model.h"
#include "runtime/layout_generator.h"
#include "runtime/model.h"

#include <nlohmann/json.hpp>

namespace sculpt {
namespace {

constexpr const char *kRecordKey = "sculpt_compression";

const char *formatName(ExportFormat format) { return format == ExportFormat::Factorized ? "factorized" : "dense"; }

} // namespace

struct CompressedModel::Impl {
    std::shared_ptr<Model> model;
    std::unique_ptr<LanguageModel> language;
    std::unique_ptr<ImageClassifier> classifier;
    std::unique_ptr<LayoutGenerator> layout;
    CompressionSummary summary;
};

CompressedModel::CompressedModel(std::shared_ptr<Model> model, CompressionSummary summary)
{
    std::vector<LayerSize> sizes;
    int64_t targeted = 0, stored = 0;
    for (const CompressedLayer &l : summary.layers) {
        sizes.push_back({l.rows, l.cols, l.rank});
        targeted += l.rows * l.cols;
        stored += storedParameters(sizes.back());
    }
    // What a factorized export stores: every layer the pass kept dense costs its m·n there.
    int64_t exported = 0;
    {
        c10::InferenceMode inference;
        for (const auto &[name, tensor] : model->checkpointTensors(/*factorized=*/true))
            exported += tensor.numel();
    }
    summary.ratio = ratioRemoved(sizes);
    summary.parametersAfter = exported;
    summary.parametersBefore = exported - stored + targeted - summary.parametersAdded;

    auto impl = std::make_shared<Impl>();
    switch (model->kind()) {
    case ModelKind::Language:
        impl->language = wrapLanguageModel(std::static_pointer_cast<const CausalModel>(model));
        break;
    case ModelKind::Vision:
        impl->classifier = wrapImageClassifier(std::static_pointer_cast<const VisionModel>(model));
        break;
    case ModelKind::Layout:
        impl->layout = wrapLayoutGenerator(std::static_pointer_cast<const LayoutModel>(model));
        break;
    }
    impl->model = std::move(model);
    impl->summary = std::move(summary);
    impl_ = std::move(impl);
}

const CompressionSummary &CompressedModel::summary() const { return impl_->summary; }
const LanguageModel *CompressedModel::languageModel() const { return impl_->language.get(); }
const ImageClassifier *CompressedModel::imageClassifier() const { return impl_->classifier.get(); }
const LayoutGenerator *CompressedModel::layoutGenerator() const { return impl_->layout.get(); }
void CompressedModel::recordRunTime(double seconds) { impl_->summary.seconds = seconds; }

void CompressedModel::write(const std::string &folder, ExportFormat format, const std::string &tokenizerFile,
                            const JobContext &job) const
{
    const CompressionSummary &s = impl_->summary;
    nlohmann::json ranks = nlohmann::json::object();
    for (const CompressedLayer &l : s.layers)
        ranks[l.name] = l.dense ? nlohmann::json(nullptr) : nlohmann::json(l.rank);
    const nlohmann::json record = {{"method", s.method},   {"target_ratio", s.targetRatio},
                                   {"ratio", s.ratio},     {"model_ratio", s.modelRatio()},
                                   {"format", formatName(format)}, {"spectrum_of", s.spectrumOf}, {"ranks", ranks}};
    writeHfFolder(*impl_->model, folder, format == ExportFormat::Factorized, {{kRecordKey, record.dump()}},
                  tokenizerFile, job);
}

} // namespace sculpt
