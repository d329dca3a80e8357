#include "soco/soco_schedule.h"

namespace sculpt {

const std::vector<PassSetting> &socoSettings()
{
    using Type = PassSetting::Type;
    static const SocoSchedule d;
    static const std::vector<PassSetting> all{
        {"whiten", Type::Boolean, 1,
         "learn scores for the components of W·S (S from the calibration input covariance, as in SVD-LLM); false: "
         "for the components of W",
         {}},
        {"coarse_steps", Type::Integer, double(d.coarseSteps), "stage 1 steps: coarse compression towards the target ratio", {}},
        {"refine_steps", Type::Integer, double(d.refineSteps), "stage 2 steps: components near the threshold switch in and out", {}},
        {"sparsify_steps", Type::Integer, double(d.sparsifySteps), "stage 3 steps: mask fixed, kept scores fine-tuned", {}},
        {"batches_per_step", Type::Integer, double(d.batchesPerStep),
         "calibration batches per optimisation step: a document each for text, up to 64 images each for images", {}},
        {"learning_rate", Type::Number, d.learningRate, "Adam step size for the scores in stages 1 and 2", {}},
        {"fine_tune_rate", Type::Number, d.fineTuneRate, "Adam step size for the kept scores in stage 3", {}},
        {"ratio_weight", Type::Number, d.ratioWeight, "weight of (soft ratio − target)² in the objective", {}},
        {"sparsity_weight", Type::Number, d.sparsityWeight, "weight of the cost-weighted mean of g(s) in the objective", {}},
        {"seed", Type::Integer, double(d.seed), "seed of the order calibration batches are visited in", {}},
    };
    return all;
}

SocoSchedule socoSchedule(const CompressionRequest &request)
{
    const auto value = [&](const char *key) { return request.setting(socoSettings(), key); };
    SocoSchedule s;
    s.whiten = value("whiten") != 0;
    s.coarseSteps = std::max(0L, long(value("coarse_steps")));
    s.refineSteps = std::max(0L, long(value("refine_steps")));
    s.sparsifySteps = std::max(0L, long(value("sparsify_steps")));
    s.batchesPerStep = std::max(1L, long(value("batches_per_step")));
    s.learningRate = value("learning_rate");
    s.fineTuneRate = value("fine_tune_rate");
    s.ratioWeight = value("ratio_weight");
    s.sparsityWeight = value("sparsity_weight");
    s.seed = uint64_t(value("seed"));
    return s;
}

} // namespace sculpt
