#include "compress/uniform_truncation.h"

#include "compress/ratio.h"
#include "runtime/device.h"

namespace sculpt {

CompressedModel truncateUniformly(std::shared_ptr<CausalModel> model, const std::string &method, double ratio,
                                  const std::function<Weighting(size_t, const LinearSite &)> &weighting,
                                  const JobContext &job)
{
    torch::NoGradGuard noGrad;
    CompressionSummary summary;
    summary.method = method;
    summary.targetRatio = ratio;
    const std::vector<LinearSite> projections = blockSites(*model);
    for (size_t i = 0; i < projections.size(); ++i) {
        job.checkCancelled();
        job.report(long(i), long(projections.size()), "truncating " + projections[i].name);
        Linear &linear = *projections[i].linear;
        const torch::Tensor w = linear.weight();
        CompressedLayer layer;
        layer.name = projections[i].name;
        layer.rows = w.size(0);
        layer.cols = w.size(1);
        layer.rank = rankForRatio(layer.rows, layer.cols, ratio);
        layer.dense = staysDense({layer.rows, layer.cols, layer.rank});
        Truncation t = truncate(w, layer.dense ? 0 : layer.rank, weighting(i, projections[i]));
        layer.singularValues = std::move(t.singularValues);
        if (layer.dense)
            layer.rank = std::min(layer.rows, layer.cols);
        else
            linear = Linear::lowRank(t.factors.a, t.factors.b, std::nullopt,
                                     linear.bias().defined() ? std::optional(linear.bias()) : std::nullopt);
        summary.layers.push_back(std::move(layer));
    }
    job.report(long(projections.size()), long(projections.size()), "truncated");
    return CompressedModel(std::move(model), std::move(summary));
}

CompressedModel truncateWithInputStatistics(const Checkpoint &checkpoint, const Tokenizer &tokenizer,
                                            const CompressionRequest &request, const std::string &method,
                                            const std::function<Weighting(const InputStatistics &)> &weighting,
                                            const JobContext &job)
{
    std::shared_ptr<CausalModel> model = loadCausalModel(checkpoint, parseDevice(request.device));
    const std::vector<InputStatistics> stats =
        collectInputStatistics(*model,
                               calibrationSequences(tokenizer, request.calibrationText, request.calibrationDocuments,
                                                    model->contextLength(), model->device()),
                               job);
    return truncateUniformly(model, method, request.ratio,
                             [&](size_t i, const LinearSite &) { return weighting(stats[i]); }, job);
}

} // namespace sculpt
