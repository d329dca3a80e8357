// FWSVD (Hsu et al., 2022): weigh each output row by the Fisher information of its weights
// (squared gradients of the loss on calibration text), truncate the weighted matrix, undo
// the weights — so rows the loss is sensitive to are reconstructed more faithfully.

#include "fwsvd/fwsvd_pass.h"

#include "compress/calibration.h"
#include "compress/uniform_truncation.h"
#include "runtime/device.h"

namespace sculpt {
namespace {

class FwsvdPass : public CompressionPass {
public:
    std::string name() const override { return "fwsvd"; }
    std::string title() const override { return "FWSVD (Fisher-weighted)"; }
    std::string description() const override
    {
        return "Weighs each output row by its Fisher information on calibration text before truncating.";
    }
    bool needsCalibration() const override { return true; }

    CompressedModel run(const Checkpoint &checkpoint, const Tokenizer &tokenizer, const CompressionRequest &request,
                        const JobContext &job) const override
    {
        std::shared_ptr<CausalModel> model = loadCausalModel(checkpoint, parseDevice(request.device));
        const std::vector<torch::Tensor> fisher =
            fisherInformation(*model,
                              calibrationSequences(tokenizer, request.calibrationText, request.calibrationDocuments,
                                                   model->contextLength(), model->device()),
                              job);
        return truncateUniformly(model, name(), request.ratio,
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
