#pragma once
// Pruning a model's weakest adapters by their importance and deciding what serves the positions
// that lose theirs: the methods plugins register (Pear's prune-and-share). Torch inside: for
// adapt, session and plugin .cpp files only.

#include "adapt/fine_tune.h"
#include "job/job.h"
#include "records/adapter_scores.h"
#include "runtime/model.h"

#include <memory>
#include <string>
#include <vector>

namespace sculpt {

struct PruneSettings {
    double fraction = 0.5;            // p: ⌊p·N⌋ of the N adapters go, the lowest-scored first
    std::string share = "depth";      // one of the method's shareRules(), or "none": plain pruning
    bool knowledgeCheckpoint = true;  // keep what the pruned adapters learned
};

class AdapterPruning {
public:
    virtual ~AdapterPruning() = default;
    virtual std::string name() const = 0;  // "pear"
    virtual std::string title() const = 0; // what a menu shows
    virtual std::vector<std::string> shareRules() const = 0;
    // Prunes the model's adapters as `settings` say, by `scores` (adapterImportance's, on this
    // model); `calibration` is for rules that look at outputs. What now serves a pruned
    // position trains through adapterTensors (the shared adapter's own tensors once, and
    // whatever the position adds). Throws std::invalid_argument, before any change, for
    // settings it cannot carry out; Cancelled on request.
    virtual AdapterSharing prune(Model &model, const std::vector<AdapterScore> &scores, const PruneSettings &settings,
                                 const LabelledImages &calibration, const JobContext &job) const = 0;
};

// Registering a name twice keeps the first.
void registerAdapterPruning(std::unique_ptr<AdapterPruning> method);
const AdapterPruning *findAdapterPruning(const std::string &name);
std::vector<const AdapterPruning *> adapterPrunings(); // in registration order

} // namespace sculpt
