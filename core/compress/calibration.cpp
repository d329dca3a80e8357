#include "compress/calibration.h"

#include "runtime/model_family.h"
#include "data/text.h"
#include "runtime/tokenizer.h"

#include <stdexcept>

namespace sculpt {

std::vector<torch::Tensor> calibrationSequences(const Tokenizer &tokenizer, std::string_view text, long count,
                                                int64_t contextLength, torch::Device device)
{
    const std::vector<std::string_view> documents = splitDocuments(text);
    if (documents.empty())
        throw std::invalid_argument("the calibration text has no document");
    std::vector<torch::Tensor> sequences;
    const size_t first = documents.size() - std::min(documents.size(), size_t(std::max(count, 1L)));
    for (size_t d = first; d < documents.size(); ++d) {
        std::vector<int32_t> ids = tokenizer.encode(documents[d], true);
        if (int64_t(ids.size()) > contextLength)
            ids.resize(size_t(contextLength));
        if (ids.size() >= 2)
            sequences.push_back(torch::tensor(std::vector<int64_t>(ids.begin(), ids.end()), torch::kInt64).to(device));
    }
    if (sequences.empty())
        throw std::invalid_argument("the calibration documents are too short to predict a token");
    return sequences;
}

std::vector<InputStatistics> collectInputStatistics(CausalModel &model, const std::vector<torch::Tensor> &sequences,
                                                    const JobContext &job)
{
    torch::NoGradGuard noGrad;
    std::vector<LinearSite> projections = blockSites(model);
    std::vector<InputStatistics> stats(projections.size());
    for (size_t i = 0; i < projections.size(); ++i) {
        const int64_t in = projections[i].linear->inFeatures();
        const auto f64 = torch::TensorOptions().dtype(torch::kFloat64).device(model.device());
        stats[i] = {torch::zeros({in, in}, f64), torch::zeros({in}, f64), 0};
        projections[i].linear->observeInputs([&s = stats[i]](const torch::Tensor &x) {
            const torch::Tensor rows = x.reshape({-1, x.size(-1)}).to(torch::kFloat64);
            s.gram.addmm_(rows.t(), rows);
            s.meanAbs.add_(rows.abs().sum(0));
            s.rows += rows.size(0);
        });
    }
    try {
        for (size_t n = 0; n < sequences.size(); ++n) {
            job.checkCancelled();
            job.report(long(n), long(sequences.size()), "calibration statistics");
            model.step(sequences[n]);
        }
    } catch (...) {
        for (LinearSite &p : projections)
            p.linear->observeInputs({});
        throw;
    }
    for (size_t i = 0; i < projections.size(); ++i) {
        projections[i].linear->observeInputs({});
        stats[i].meanAbs /= double(std::max<int64_t>(stats[i].rows, 1));
    }
    return stats;
}

torch::Tensor choleskyWhitening(const torch::Tensor &gram, double jitter)
{
    const double scale = std::max(gram.diagonal().mean().item<double>(), 1e-30);
    const torch::Tensor identity = torch::eye(gram.size(0), gram.options());
    for (double added = 0; added < 1e6 * scale; added = added == 0 ? jitter * scale : added * 2) {
        auto [factor, info] = torch::linalg_cholesky_ex(gram + added * identity, false, false);
        if (info.item<int64_t>() == 0)
            return factor;
    }
    throw std::runtime_error("the input covariance is not positive definite even with jitter");
}

torch::Tensor nextTokenLoss(const torch::Tensor &logits, const torch::Tensor &sequence)
{
    const int64_t t = sequence.size(0);
    return torch::nn::functional::cross_entropy(logits.narrow(0, 0, t - 1), sequence.narrow(0, 1, t - 1));
}

std::vector<torch::Tensor> fisherInformation(CausalModel &model, const std::vector<torch::Tensor> &sequences,
                                             const JobContext &job)
{
    // weight() of a dense projection is the model's own tensor: its gradient is the one wanted.
    std::vector<torch::Tensor> weights, fisher;
    for (const LinearSite &p : blockSites(model)) {
        weights.push_back(p.linear->weight());
        fisher.push_back(torch::zeros_like(weights.back(), torch::kFloat64));
    }
    for (torch::Tensor &w : weights)
        w.requires_grad_(true);
    try {
        for (size_t n = 0; n < sequences.size(); ++n) {
            job.checkCancelled();
            job.report(long(n), long(sequences.size()), "Fisher information");
            const std::vector<torch::Tensor> grads =
                torch::autograd::grad({nextTokenLoss(model.step(sequences[n]), sequences[n])}, weights);
            for (size_t i = 0; i < grads.size(); ++i)
                fisher[i].add_(grads[i].to(torch::kFloat64).square());
        }
    } catch (...) {
        for (torch::Tensor &w : weights)
            w.requires_grad_(false);
        throw;
    }
    for (torch::Tensor &w : weights)
        w.requires_grad_(false);
    return fisher;
}

} // namespace sculpt
