#include "pear/pear_method.h"

#include "adapt/adapter_pruning.h"
#include "pear/pear_sharing.h"

#include <stdexcept>

namespace sculpt {
namespace {

class Pear : public AdapterPruning {
public:
    std::string name() const override { return "pear"; }
    std::string title() const override { return "Pear: prune and share adapters"; }
    std::vector<std::string> shareRules() const override { return {"depth", "output"}; }

    AdapterSharing prune(Model &model, const std::vector<AdapterScore> &scores, const PruneSettings &settings,
                         const LabelledImages &calibration, const JobContext &job) const override
    {
        const bool share = settings.share != "none";
        if (share && settings.share != "depth" && settings.share != "output")
            throw std::invalid_argument("unknown share rule '" + settings.share + "': depth, output or none");
        const PearPlan plan = planPear(model, scores, settings.fraction,
                                       settings.share == "output" ? ShareRule::Output : ShareRule::Depth,
                                       calibration, job);
        applyPear(model, plan, settings.knowledgeCheckpoint, share);
        AdapterSharing sharing;
        sharing.fraction = settings.fraction;
        sharing.rule = settings.share;
        sharing.knowledgeCheckpoint = settings.knowledgeCheckpoint;
        sharing.pruned = plan.pruned;
        sharing.servedBy = share ? plan.servedBy : std::vector<int64_t>(plan.pruned.size(), -1);
        return sharing;
    }
};

} // namespace

void registerPear() { registerAdapterPruning(std::make_unique<Pear>()); }

} // namespace sculpt
