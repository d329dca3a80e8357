// SoCo as a pass: decompose every projection (whitened by default), then learn which
// components to keep and how much to scale them (soco_training.h).

#include "soco/soco_pass.h"

#include "compress/calibration.h"
#include "compress/truncation.h"
#include "soco/soco_training.h"

namespace sculpt {
namespace {

class SocoPass : public CompressionPass {
public:
    // SoCo distils every position of an image question; a HiMix model's logits cover its text
    // alone, so the stacked questions would not line up with them: refused before any work.
    static void refuseTextOnlyLogits(Model &model, const Calibration &calibration)
    {
        if (calibration.empty() || !calibration.batches.front().isImageQuestion())
            return;
        torch::NoGradGuard noGrad;
        const ModelInput &input = calibration.batches.front().input;
        if (model.forward(input).logits.size(1) != input.tokens.size(1))
            throw std::invalid_argument("soco distils every position of an image question, and this model's logits "
                                        "leave out the image's (HiMix): compress the model before converting it");
    }

    std::string name() const override { return "soco"; }
    std::string title() const override { return "SoCo (learned spectrum)"; }
    std::string description() const override
    {
        return "Learns a score per singular component on calibration data, distilled from the original model (KL; "
               "for a layout model its predicted noise), in three stages; prunes by learned score, not σ order, and "
               "lets kept components amplify.";
    }
    bool needsCalibration() const override { return true; }
    std::vector<PassSetting> settings() const override { return socoSettings(); }

    CompressedModel run(std::shared_ptr<Model> model, const Calibration &calibration, const CompressionRequest &request,
                        const JobContext &job) const override
    {
        refuseTextOnlyLogits(*model, calibration);
        const SocoSchedule schedule = socoSchedule(request);
        const std::vector<LinearSite> sites = blockSites(*model);
        std::vector<InputStatistics> stats;
        if (schedule.whiten)
            stats = collectInputStatistics(*model, sites, calibration, job);
        std::vector<ScoredLayer> layers;
        for (const LinearSite &p : sites) {
            const size_t i = layers.size();
            job.report(long(i), 0, "SoCo: decomposing " + p.name);
            const Basis basis =
                weightedBasis(p.linear->weight(), schedule.whiten ? Weighting{{}, choleskyWhitening(stats[i].gram)} : Weighting{});
            layers.push_back({p.name, p.linear, basis.left, basis.singularValues, basis.right, p.linear->bias()});
        }
        return trainSoco(std::move(model), std::move(layers), calibration, request.ratio, schedule, request, job);
    }
};

} // namespace

std::unique_ptr<CompressionPass> makeSocoPass() { return std::make_unique<SocoPass>(); }

} // namespace sculpt
