#pragma once
// What `adapt`, `heads`, `heat` and `pear` leave in the model's workspace: their request and results
// as one AdaptationRecord, so the runs are there to compare on reopening. Torch-free.

#include "records/adaptation_record.h"
#include "session/adaptation.h"
#include "session/adapter_pruning.h"
#include "session/head_scores.h"

#include <string>

namespace sculpt {

// `modelHash` is weightsHash's of the model the run started from; `seconds` how long it ran.
// The date is now.
AdaptationRecord adaptationRecord(const AdaptRequest &request, const AdaptRun &run, const std::string &modelHash,
                                  double seconds);
// command: "heads" or "heat".
AdaptationRecord adaptationRecord(const std::string &command, const HeadScoreRequest &request, const HeadScoreRun &run,
                                  const std::string &modelHash, double seconds);
// command: the pruning's name ("pear").
AdaptationRecord adaptationRecord(const PruneAdaptersRequest &request, const PruneAdaptersRun &run,
                                  const std::string &modelHash, double seconds);

} // namespace sculpt
