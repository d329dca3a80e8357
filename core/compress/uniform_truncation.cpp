#include "compress/uniform_truncation.h"

#include "compress/ratio.h"

namespace sculpt {

CompressedModel truncateUniformly(std::shared_ptr<Model> model, const std::string &method, const std::string &spectrumOf,
                                  double ratio, const std::function<Weighting(size_t, const LinearSite &)> &weighting,
                                  const JobContext &job)
{
    torch::NoGradGuard noGrad;
    CompressionSummary summary;
    summary.method = method;
    summary.targetRatio = ratio;
    summary.spectrumOf = spectrumOf;
    const std::vector<LinearSite> sites = blockSites(*model);
    for (size_t i = 0; i < sites.size(); ++i) {
        job.checkCancelled();
        job.report(long(i), long(sites.size()), "truncating " + sites[i].name);
        Linear &linear = *sites[i].linear;
        const torch::Tensor w = linear.weight();
        CompressedLayer layer;
        layer.name = sites[i].name;
        layer.rows = w.size(0);
        layer.cols = w.size(1);
        layer.rank = rankForRatio(layer.rows, layer.cols, ratio);
        layer.dense = staysDense({layer.rows, layer.cols, layer.rank});
        Truncation t = truncate(w, layer.dense ? 0 : layer.rank, weighting(i, sites[i]));
        layer.singularValues = std::move(t.singularValues);
        if (layer.dense)
            layer.rank = std::min(layer.rows, layer.cols);
        else
            linear = Linear::lowRank(t.factors.a, t.factors.b, std::nullopt,
                                     linear.bias().defined() ? std::optional(linear.bias()) : std::nullopt);
        summary.layers.push_back(std::move(layer));
    }
    job.report(long(sites.size()), long(sites.size()), "truncated");
    return CompressedModel(std::move(model), std::move(summary));
}

CompressedModel truncateWithInputStatistics(std::shared_ptr<Model> model, const Calibration &calibration, double ratio,
                                            const std::string &method, const std::string &spectrumOf,
                                            const std::function<Weighting(const InputStatistics &)> &weighting,
                                            const JobContext &job)
{
    const std::vector<InputStatistics> stats = collectInputStatistics(*model, blockSites(*model), calibration, job);
    return truncateUniformly(model, method, spectrumOf, ratio,
                             [&](size_t i, const LinearSite &) { return weighting(stats[i]); }, job);
}

} // namespace sculpt
