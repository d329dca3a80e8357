// HiMix (Hierarchical Vision injection for Mixture Attention) as a conversion of a vanilla
// LLaVA-style model, its first training stage: the images leave the decoder's stream and enter
// each layer only as attention keys and values, through new per-layer norms and k/v
// projections (CausalModel::convertToHimix starts them as the layer's own). Only those are
// trained, on the answers to image questions; everything else stays as it was. The decoder's
// multiply-adds per answer, before and after, go into the summary.

#include "himix/himix_pass.h"

#include "compress/calibration.h"
#include "runtime/model.h"

#include <set>
#include <stdexcept>

namespace sculpt {
namespace {

const std::vector<PassSetting> kSettings{
    {"steps", PassSetting::Type::Integer, 200, "optimisation steps over the image attention", {}},
    {"learning_rate", PassSetting::Type::Number, 1e-3, "Adam step size", {}},
    {"batch", PassSetting::Type::Integer, 4, "questions per step, taken in turn", {}},
};

// The shape of one answer to `batch`, as generation would run it: the prompt at once, then
// every answer token but the last fed back.
AnswerShape answerShape(const CalibrationBatch &batch, int64_t imageToken)
{
    const torch::Tensor labelled = batch.labels[0].ne(kUnlabelled);
    const int64_t prompt = labelled.to(torch::kInt64).argmax().item<int64_t>();
    const int64_t length = batch.labels.size(1);
    return {prompt, batch.input.tokens.eq(imageToken).sum().item<int64_t>(), length - prompt - 1};
}

double meanMacs(const CausalModel &model, const Calibration &calibration)
{
    double sum = 0;
    for (const CalibrationBatch &b : calibration.batches)
        sum += double(model.decoderMacs(answerShape(b, calibration.imageToken)).value_or(0));
    return sum / double(calibration.batches.size());
}

double meanLoss(const CausalModel &model, const Calibration &calibration, const JobContext &job)
{
    torch::NoGradGuard noGrad;
    double sum = 0;
    for (const CalibrationBatch &b : calibration.batches) {
        job.checkCancelled();
        sum += calibration.taskLoss(model.forward(b.input).logits, b).item<double>();
    }
    return sum / double(calibration.batches.size());
}

class HimixPass : public CompressionPass {
public:
    std::string name() const override { return "himix"; }
    std::string title() const override { return "HiMix (images into attention)"; }
    std::string description() const override
    {
        return "Converts a LLaVA-style model: images enter each decoder layer only as attention keys and values, "
               "through per-layer norms and projections trained on image questions; only the text runs the decoder.";
    }
    std::vector<ModelKind> models() const override { return {ModelKind::Language}; }
    bool needsCalibration() const override { return true; }
    bool needsImageQuestions() const override { return true; }
    bool takesRatio() const override { return false; }
    std::vector<PassSetting> settings() const override { return kSettings; }

    CompressedModel run(std::shared_ptr<Model> model, const Calibration &calibration, const CompressionRequest &request,
                        const JobContext &job) const override
    {
        auto &causal = static_cast<CausalModel &>(*model);
        const long steps = long(request.setting(kSettings, "steps"));
        const long batch = long(request.setting(kSettings, "batch"));
        if (steps < 0 || batch < 1)
            throw std::invalid_argument("himix takes steps ≥ 0 and a batch of at least one question");
        CompressionSummary summary;
        summary.method = name();
        summary.decoderMacsBefore = meanMacs(causal, calibration);
        job.report(0, steps, "HiMix: the vanilla model's loss on the answers");
        const double vanilla = meanLoss(causal, calibration, job);

        const std::vector<std::string> added = causal.convertToHimix();
        const std::set<std::string> trained(added.begin(), added.end());
        std::vector<torch::Tensor> parameters;
        for (auto &[tensorName, tensor] : model->parameters())
            if (trained.contains(tensorName)) {
                parameters.push_back(tensor.requires_grad_(true));
                summary.parametersAdded += tensor.numel();
            }
        torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(request.setting(kSettings, "learning_rate")));
        const size_t count = calibration.batches.size();
        for (long step = 0; step < steps; ++step) {
            job.checkCancelled();
            optimizer.zero_grad();
            double loss = 0;
            const size_t taken = std::min(size_t(batch), count);
            for (size_t i = 0; i < taken; ++i) {
                const CalibrationBatch &b = calibration.batches[(size_t(step) * size_t(batch) + i) % count];
                const torch::Tensor l = calibration.taskLoss(model->forward(b.input).logits, b) / double(taken);
                l.backward();
                loss += l.item<double>();
            }
            optimizer.step();
            TrainingStep log{step + 1, steps, "image attention", {{"loss", loss}, {"vanilla_loss", vanilla}}, {}};
            job.report(step + 1, steps, "HiMix: loss " + std::to_string(loss) + " (vanilla " + std::to_string(vanilla) + ")");
            if (request.onStep)
                request.onStep(log);
        }
        for (torch::Tensor &p : parameters)
            p.requires_grad_(false);
        summary.decoderMacsAfter = meanMacs(causal, calibration);
        return CompressedModel(std::move(model), std::move(summary));
    }
};

} // namespace

std::unique_ptr<CompressionPass> makeHimixPass() { return std::make_unique<HimixPass>(); }

} // namespace sculpt
