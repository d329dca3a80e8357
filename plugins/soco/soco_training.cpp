#include "soco/soco_training.h"

#include "compress/calibration.h"
#include "compress/ratio.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace sculpt {
namespace {

// The original model's predictions on every batch, computed once before any score changes.
std::vector<torch::Tensor> teacherTargets(Model &model, const Calibration &calibration, const JobContext &job)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> all;
    for (size_t n = 0; n < calibration.batches.size(); ++n) {
        job.checkCancelled();
        job.report(long(n), long(calibration.batches.size()), "SoCo: the original model's predictions");
        all.push_back(calibration.teacherTargets(model.forward(calibration.batches[n].input).logits));
    }
    return all;
}

constexpr const char *kStageNames[] = {"coarse", "refine", "sparsify"};
// The least gain a component the stage-3 mask keeps has: a pruned one taken back to meet the
// target restarts there, and fine-tuning cannot push a kept one out.
constexpr float kRestartedGain = 0.01f;

class Trainer {
public:
    Trainer(Model &model, const Calibration &calibration, std::vector<ScoredLayer> layers, double target,
            const SocoSchedule &schedule)
        : model_(model), calibration_(calibration), layers_(std::move(layers)), target_(target), schedule_(schedule)
    {
        for (const ScoredLayer &l : layers_) {
            scores_.push_back(torch::ones_like(l.sigma).requires_grad_(true));
            dense_ += double(l.left.size(0)) * double(l.right.size(1));
        }
    }

    // g(s) per layer. Before the mask is fixed its gradient passes straight through the
    // max(s, 0), so a pruned component the loss wants back can return; afterwards the mask
    // decides and the gradient is the plain one.
    std::vector<torch::Tensor> gains() const
    {
        std::vector<torch::Tensor> g;
        for (size_t l = 0; l < layers_.size(); ++l) {
            const torch::Tensor &s = scores_[l];
            g.push_back(masks_.empty() ? s + (s.clamp_min(0) - s).detach() : s.clamp_min(0) * masks_[l]);
        }
        return g;
    }

    // The model runs A·diag(σ ⊙ g)·B in every targeted layer.
    void install(const std::vector<torch::Tensor> &g)
    {
        for (size_t l = 0; l < layers_.size(); ++l) {
            const ScoredLayer &s = layers_[l];
            *s.linear = Linear::lowRank(s.left, s.right, s.sigma * g[l],
                                        s.bias.defined() ? std::optional(s.bias) : std::nullopt);
        }
    }

    // 1 − Σ k(m+n) / Σ mn. Stage 1 counts k softly, Σ min(g, 1): amplified components count
    // once and the gradient reaches every score up to 1. Stage 2 counts the components that
    // are really active (g > 0) with the soft count's gradient passed straight through, so the
    // achieved ratio is what must meet the target and scores decide between in and out. No
    // cap at the dense size here: every layer starts above break-even, where a cap would leave
    // no gradient at all; the hard ratio and the mask apply it.
    torch::Tensor ratio(const std::vector<torch::Tensor> &g, bool hard) const
    {
        torch::Tensor stored = torch::zeros({}, g[0].options());
        for (size_t l = 0; l < layers_.size(); ++l) {
            torch::Tensor count = g[l].clamp(0, 1).sum();
            if (hard)
                count = count + ((g[l].detach() > 0).sum().to(count.dtype()) - count).detach();
            stored = stored + count * double(layers_[l].left.size(0) + layers_[l].right.size(1));
        }
        return 1 - stored / dense_;
    }

    // Σ g weighted by each component's storage cost, over the dense size: pushes every score
    // down at the price the ratio counts it at, so only components the KL needs stay up.
    torch::Tensor sparsity(const std::vector<torch::Tensor> &g) const
    {
        torch::Tensor total = torch::zeros({}, g[0].options());
        for (size_t l = 0; l < layers_.size(); ++l)
            total = total + g[l].sum() * double(layers_[l].left.size(0) + layers_[l].right.size(1));
        return total / dense_;
    }

    std::vector<int64_t> activeCounts(const std::vector<torch::Tensor> &g) const
    {
        std::vector<int64_t> counts;
        for (const torch::Tensor &t : g)
            counts.push_back((t.detach() > 0).sum().item<int64_t>());
        return counts;
    }

    double hardRatio(const std::vector<int64_t> &active) const
    {
        std::vector<LayerSize> sizes;
        for (size_t l = 0; l < layers_.size(); ++l)
            sizes.push_back({layers_[l].left.size(0), layers_[l].right.size(1), active[l]});
        return ratioRemoved(sizes);
    }

    // The mask of stage 3: components by descending score across the whole model, each kept
    // while the target still holds; a layer that reaches break-even stays dense and keeps all
    // its live components, which then cost nothing more. Live components (s > 0) come first;
    // when stages 1 and 2 left fewer than the target allows, the pruned ones with the highest
    // scores fill the rest, restarted at a small gain so fine-tuning can grow them — else the
    // pass would remove more than it was asked to.
    void fixMask()
    {
        torch::NoGradGuard noGrad;
        struct Component {
            float score;
            size_t layer;
            int64_t index;
        };
        std::vector<Component> all;
        for (size_t l = 0; l < layers_.size(); ++l) {
            const torch::Tensor s = scores_[l].detach().contiguous();
            for (int64_t i = 0; i < s.numel(); ++i)
                all.push_back({s.data_ptr<float>()[i], l, i});
            masks_.push_back(torch::zeros_like(scores_[l]));
        }
        std::stable_sort(all.begin(), all.end(), [](const Component &a, const Component &b) { return a.score > b.score; });
        double budget = (1 - target_) * dense_;
        std::vector<int64_t> kept(layers_.size(), 0);
        for (const Component &c : all) {
            const int64_t m = layers_[c.layer].left.size(0), n = layers_[c.layer].right.size(1);
            const double more = double(storedParameters({m, n, kept[c.layer] + 1}) - storedParameters({m, n, kept[c.layer]}));
            if (more > budget)
                continue;
            budget -= more;
            ++kept[c.layer];
            masks_[c.layer][c.index] = 1;
            if (c.score <= 0)
                scores_[c.layer][c.index] = kRestartedGain;
        }
    }

    void step(const std::vector<const CalibrationBatch *> &batch, const std::vector<torch::Tensor> &teacher,
              torch::optim::Adam &optimizer, bool hardCount, TrainingStep &log)
    {
        optimizer.zero_grad();
        const std::vector<torch::Tensor> g = gains();
        install(g);
        // The step's batches in one forward and one backward pass.
        const StackedBatches stacked(batch);
        const torch::Tensor loss =
            calibration_.distillationLoss(stacked.stack(teacher), model_.forward(stacked.batch().input).logits, stacked.batch());
        const double kl = loss.item<double>();
        double total = kl;
        if (masks_.empty()) {
            const torch::Tensor pressure = schedule_.ratioWeight * (ratio(g, hardCount) - target_).square() +
                                           schedule_.sparsityWeight * sparsity(g);
            (loss + pressure).backward();
            total += pressure.item<double>();
        } else {
            loss.backward();
        }
        optimizer.step();
        if (!masks_.empty()) { // the mask is fixed: a kept component stays kept, at a small gain at least
            torch::NoGradGuard noGrad;
            for (size_t l = 0; l < layers_.size(); ++l)
                scores_[l].copy_(torch::where(masks_[l] > 0, scores_[l].clamp_min(kRestartedGain), scores_[l]));
        }
        const std::vector<int64_t> active = activeCounts(gains());
        log.values = {{"loss", total}, {"kl", kl}, {"ratio", hardRatio(active)}};
        log.counts = {{"active", active}};
    }

    CompressionSummary finish(const std::string &method, const std::string &spectrumOf)
    {
        torch::NoGradGuard noGrad;
        CompressionSummary summary;
        summary.method = method;
        summary.targetRatio = target_;
        summary.spectrumOf = spectrumOf;
        const std::vector<torch::Tensor> g = gains();
        for (size_t l = 0; l < layers_.size(); ++l) {
            const ScoredLayer &s = layers_[l];
            const torch::Tensor kept = g[l].nonzero().squeeze(1);
            CompressedLayer layer;
            layer.name = s.name;
            layer.rows = s.left.size(0);
            layer.cols = s.right.size(1);
            layer.rank = kept.numel();
            layer.dense = staysDense({layer.rows, layer.cols, layer.rank});
            const torch::Tensor a = s.left.index_select(1, kept) * (s.sigma * g[l]).index_select(0, kept);
            const torch::Tensor b = s.right.index_select(0, kept);
            const std::optional<torch::Tensor> bias = s.bias.defined() ? std::optional(s.bias) : std::nullopt;
            *s.linear = layer.dense ? Linear::dense(torch::matmul(a, b), bias)
                                    : Linear::lowRank(a.contiguous(), b.contiguous(), std::nullopt, bias);
            const torch::Tensor sigma = s.sigma.contiguous(), gain = g[l].contiguous();
            layer.singularValues.assign(sigma.data_ptr<float>(), sigma.data_ptr<float>() + sigma.numel());
            layer.gains.assign(gain.data_ptr<float>(), gain.data_ptr<float>() + gain.numel());
            summary.layers.push_back(std::move(layer));
        }
        return summary;
    }

    std::vector<torch::Tensor> &scores() { return scores_; }

private:
    Model &model_;
    const Calibration &calibration_;
    std::vector<ScoredLayer> layers_;
    std::vector<torch::Tensor> scores_, masks_;
    double target_, dense_ = 0;
    SocoSchedule schedule_;
};

} // namespace

CompressedModel trainSoco(std::shared_ptr<Model> model, std::vector<ScoredLayer> layers, const Calibration &calibration,
                          double targetRatio, const SocoSchedule &schedule, const CompressionRequest &request,
                          const JobContext &job)
{
    const std::vector<torch::Tensor> teacher = teacherTargets(*model, calibration, job);
    Trainer trainer(*model, calibration, std::move(layers), targetRatio, schedule);

    std::vector<size_t> order(calibration.batches.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 random(schedule.seed);
    size_t next = order.size(); // reshuffle on first use
    const auto batch = [&](std::vector<const CalibrationBatch *> &inputs, std::vector<torch::Tensor> &targets) {
        inputs.clear();
        targets.clear();
        for (long i = 0; i < schedule.batchesPerStep; ++i) {
            if (next == order.size()) {
                std::shuffle(order.begin(), order.end(), random);
                next = 0;
            }
            inputs.push_back(&calibration.batches[order[next]]);
            targets.push_back(teacher[order[next++]]);
        }
    };

    const long steps = schedule.coarseSteps + schedule.refineSteps + schedule.sparsifySteps;
    const struct {
        int stage;
        long length;
        double rate;
    } stages[] = {{1, schedule.coarseSteps, schedule.learningRate},
                  {2, schedule.refineSteps, schedule.learningRate},
                  {3, schedule.sparsifySteps, schedule.fineTuneRate}};
    long done = 0;
    std::vector<const CalibrationBatch *> inputs;
    std::vector<torch::Tensor> targets;
    for (const auto &stage : stages) {
        if (stage.stage == 3)
            trainer.fixMask();
        torch::optim::Adam optimizer(trainer.scores(), torch::optim::AdamOptions(stage.rate));
        for (long i = 0; i < stage.length; ++i, ++done) {
            job.checkCancelled();
            batch(inputs, targets);
            TrainingStep log;
            log.step = done + 1;
            log.steps = steps;
            log.stage = kStageNames[stage.stage - 1];
            trainer.step(inputs, targets, optimizer, stage.stage == 2, log);
            job.report(done + 1, steps,
                       "SoCo stage " + std::to_string(stage.stage) + " (" + log.stage + "): loss " +
                           std::to_string(log.value("loss")) + ", ratio " + std::to_string(log.value("ratio")));
            if (request.onStep)
                request.onStep(log);
        }
    }
    CompressionSummary summary = trainer.finish("soco", schedule.whiten ? "W·S" : "W");
    return CompressedModel(std::move(model), std::move(summary));
}

} // namespace sculpt
