#include "soco/soco_schedule.h"

namespace sculpt {

const std::vector<PassSetting> &socoSettings()
{
    static const SocoSchedule d;
    static const std::vector<PassSetting> all{
        {"whiten", 1, "1: learn scores for the components of W·S (S from the calibration input covariance, as in "
                      "SVD-LLM); 0: for the components of W"},
        {"coarse_steps", double(d.coarseSteps), "stage 1 steps: coarse compression towards the target ratio"},
        {"refine_steps", double(d.refineSteps), "stage 2 steps: components near the threshold switch in and out"},
        {"sparsify_steps", double(d.sparsifySteps), "stage 3 steps: mask fixed, kept scores fine-tuned"},
        {"sequences_per_step", double(d.sequencesPerStep), "calibration sequences per optimisation step"},
        {"learning_rate", d.learningRate, "Adam step size for the scores in stages 1 and 2"},
        {"fine_tune_rate", d.fineTuneRate, "Adam step size for the kept scores in stage 3"},
        {"ratio_weight", d.ratioWeight, "weight of (soft ratio − target)² in the objective"},
        {"sparsity_weight", d.sparsityWeight, "weight of the cost-weighted mean of g(s) in the objective"},
        {"seed", double(d.seed), "seed of the order calibration sequences are visited in"},
    };
    return all;
}

SocoSchedule socoSchedule(const CompressionRequest &request)
{
    const auto value = [&](const char *key) { return request.setting(socoSettings(), key); };
    SocoSchedule s;
    s.whiten = value("whiten") != 0;
    s.coarseSteps = long(value("coarse_steps"));
    s.refineSteps = long(value("refine_steps"));
    s.sparsifySteps = long(value("sparsify_steps"));
    s.sequencesPerStep = std::max(1L, long(value("sequences_per_step")));
    s.learningRate = value("learning_rate");
    s.fineTuneRate = value("fine_tune_rate");
    s.ratioWeight = value("ratio_weight");
    s.sparsityWeight = value("sparsity_weight");
    s.seed = uint64_t(value("seed"));
    return s;
}

} // namespace sculpt
