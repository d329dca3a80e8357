// FWSVD (Hsu et al., 2022): weigh each output row by the Fisher information of its weights
// (squared gradients of the task loss on calibration data: next-token cross-entropy on text,
// the labels' cross-entropy on images), truncate the weighted matrix, undo
// the weights — so rows the loss is sensitive to are reconstructed more faithfully.

#include "fwsvd/fwsvd_pass.h"

#include "compress/calibration.h"
#include "compress/uniform_truncation.h"

namespace sculpt {
namespace {

class FwsvdPass : public CompressionPass {
public:
    std::string name() const override { return "fwsvd"; }
    std::string title() const override { return "FWSVD (Fisher-weighted)"; }
    std::string description() const override
    {
        return "Weighs each output row by its Fisher information (the task loss on calibration data) before truncating.";
    }
    bool needsCalibration() const override { return true; }
    bool needsLabels() const override { return true; }

    CompressedModel run(std::shared_ptr<Model> model, const Calibration &calibration, const CompressionRequest &request,
                        const JobContext &job) const override
    {
        const std::vector<torch::Tensor> fisher = fisherInformation(*model, blockSites(*model), calibration, job);
        return truncateUniformly(model, name(), "diag(r)·W", request.ratio,
                                 [&fisher](size_t i, const LinearSite &) {
                                     // A row no gradient reached keeps a small weight rather than none,
                                     // so the weighting stays invertible.
                                     const torch::Tensor rows = fisher[i].sum(1).sqrt();
                                     return Weighting{rows.clamp_min(rows.max().item<double>() * 1e-6 + 1e-30), {}};
                                 },
                                 job);
    }
};

} // namespace

std::unique_ptr<CompressionPass> makeFwsvdPass() { return std::make_unique<FwsvdPass>(); }

} // namespace sculpt
