// Plain SVD: the top-k singular components of every projection, k from the same ratio in
// every layer. The baseline that ranks components by σ alone and sees no data.

#include "svd/svd_pass.h"

#include "compress/uniform_truncation.h"

namespace sculpt {
namespace {

class SvdPass : public CompressionPass {
public:
    std::string name() const override { return "svd"; }
    std::string title() const override { return "SVD (top-k)"; }
    std::string description() const override
    {
        return "Keeps each layer's largest singular components, the same ratio in every layer; needs no data.";
    }
    bool needsCalibration() const override { return false; }

    CompressedModel run(std::shared_ptr<Model> model, const Calibration &, const CompressionRequest &request,
                        const JobContext &job) const override
    {
        return truncateUniformly(std::move(model), name(), "W", request.ratio,
                                 [](size_t, const LinearSite &) { return Weighting{}; }, job);
    }
};

} // namespace

std::unique_ptr<CompressionPass> makeSvdPass() { return std::make_unique<SvdPass>(); }

} // namespace sculpt
