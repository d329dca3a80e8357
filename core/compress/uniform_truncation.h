#pragma once
// The SVD baselines' shared shape: every projection truncated to the rank that removes the
// target ratio of it — the same ratio in every layer — in the norm the method chooses.
// Torch inside: for pass plugins' .cpp files only.

#include "compress/calibration.h"
#include "compress/compressed_model.h"
#include "compress/pass.h"
#include "compress/truncation.h"
#include "runtime/model_family.h"

#include <functional>

namespace sculpt {

// `weighting(i, projection)` gives the norm for projection i (projections() order). A layer
// whose rank reaches break-even stays dense and exact.
CompressedModel truncateUniformly(std::shared_ptr<CausalModel> model, const std::string &method, double ratio,
                                  const std::function<Weighting(size_t, const LinearSite &)> &weighting,
                                  const JobContext &job);

// The activation-aware baselines' whole run: load the model, collect each projection's input
// statistics on the request's calibration documents, and truncate uniformly in the norm
// `weighting(statistics)` gives.
CompressedModel truncateWithInputStatistics(const Checkpoint &checkpoint, const Tokenizer &tokenizer,
                                            const CompressionRequest &request, const std::string &method,
                                            const std::function<Weighting(const InputStatistics &)> &weighting,
                                            const JobContext &job);

} // namespace sculpt
