#pragma once
// How important each attention head is for a task: strategies that score every head of a model
// on labelled images, registered by the method plugins (HEAT's Taylor scores, and the baselines
// they are measured against), and the masking that closes the heads a ranking lets go.
// Torch inside: for adapt and plugin .cpp files only.

#include "adapt/fine_tune.h"
#include "job/job.h"
#include "records/head_scores.h"
#include "runtime/model.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sculpt {

class HeadScoreStrategy {
public:
    virtual ~HeadScoreStrategy() = default;
    virtual std::string name() const = 0;  // what --strategy takes: "gate"
    virtual std::string title() const = 0; // what a menu shows
    virtual std::string description() const = 0;
    // One score per head of every attention site (larger: more important), from the model as it
    // is — adapters in place, closed heads closed — on `data`. `seed` is for strategies that
    // draw. Leaves the model as it found it; reports progress, throws Cancelled when asked to stop.
    virtual HeadScores score(Model &model, const LabelledImages &data, uint64_t seed, const JobContext &job) const = 0;
};

void registerHeadScoreStrategy(std::unique_ptr<HeadScoreStrategy> strategy);
const HeadScoreStrategy *findHeadScoreStrategy(const std::string &name);
std::vector<const HeadScoreStrategy *> headScoreStrategies(); // in registration order

// Closes `heads` ((layer, head) pairs) by their gates and opens every other head. Throws
// std::invalid_argument for a head the model does not have.
void maskHeads(Model &model, const std::vector<std::pair<int64_t, int64_t>> &heads);

} // namespace sculpt
