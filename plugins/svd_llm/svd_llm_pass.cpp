// SVD-LLM (Wang et al., 2024): truncation-aware whitening. With S the Cholesky factor of the
// layer's input covariance XᵀX, dropping σ_i of W·S costs exactly σ_i² of output error on the
// calibration activations, so truncating W·S is optimal for them; S⁻¹ is folded back into B.

#include "svd_llm/svd_llm_pass.h"

#include "compress/uniform_truncation.h"

namespace sculpt {
namespace {

const std::vector<PassSetting> kSettings{
    {"jitter", PassSetting::Type::Number, 1e-6,
     "diagonal added to XᵀX, relative to its mean diagonal, when it is not positive definite "
     "(doubled until the Cholesky factorisation succeeds)",
     {}},
};

class SvdLlmPass : public CompressionPass {
public:
    std::string name() const override { return "svd-llm"; }
    std::string title() const override { return "SVD-LLM (whitening)"; }
    std::string description() const override
    {
        return "Truncates W·S with S the Cholesky factor of the calibration input covariance, then folds S⁻¹ back.";
    }
    bool needsCalibration() const override { return true; }
    std::vector<PassSetting> settings() const override { return kSettings; }

    CompressedModel run(std::shared_ptr<Model> model, const Calibration &calibration, const CompressionRequest &request,
                        const JobContext &job) const override
    {
        const double jitter = request.setting(kSettings, "jitter");
        return truncateWithInputStatistics(std::move(model), calibration, request.ratio, name(), "W·S",
                                           [jitter](const InputStatistics &stats) {
                                               return Weighting{{}, choleskyWhitening(stats.gram, jitter)};
                                           },
                                           job);
    }
};

} // namespace

std::unique_ptr<CompressionPass> makeSvdLlmPass() { return std::make_unique<SvdLlmPass>(); }

} // namespace sculpt
