// ASVD (Yuan et al., 2023): scale each input column by (mean |x|)^α of the activations that
// reach it on calibration data, truncate, undo the scaling — outlier input channels, which
// carry most of the output, are kept more faithfully.

#include "asvd/asvd_pass.h"

#include "compress/uniform_truncation.h"

namespace sculpt {
namespace {

const std::vector<PassSetting> kSettings{
    {"alpha", PassSetting::Type::Number, 0.5, "exponent α of the activation scaling (mean |x|)^α; 0 is plain SVD", {}},
};

class AsvdPass : public CompressionPass {
public:
    std::string name() const override { return "asvd"; }
    std::string title() const override { return "ASVD (activation-aware)"; }
    std::string description() const override
    {
        return "Scales input columns by (mean |x|)^alpha of calibration activations before truncating.";
    }
    bool needsCalibration() const override { return true; }
    std::vector<PassSetting> settings() const override { return kSettings; }

    CompressedModel run(std::shared_ptr<Model> model, const Calibration &calibration, const CompressionRequest &request,
                        const JobContext &job) const override
    {
        const double alpha = request.setting(kSettings, "alpha");
        return truncateWithInputStatistics(std::move(model), calibration, request.ratio, name(), "W·diag(s)",
                                           [alpha](const InputStatistics &stats) {
                                               const torch::Tensor scale = stats.meanAbs.pow(alpha);
                                               // A channel that was always zero gets a tiny scale, not none.
                                               return Weighting{{}, scale.clamp_min(scale.max().item<double>() * 1e-6 + 1e-30)};
                                           },
                                           job);
    }
};

} // namespace

std::unique_ptr<CompressionPass> makeAsvdPass() { return std::make_unique<AsvdPass>(); }

} // namespace sculpt
