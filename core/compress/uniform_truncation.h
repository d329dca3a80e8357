#pragma once
// The SVD baselines' shared shape: every site inside the blocks truncated to the rank that
// removes the target ratio of it — the same ratio in every layer — in the norm the method
// chooses. Torch inside: for pass plugins' .cpp files only.

#include "compress/calibration.h"
#include "compress/compressed_model.h"
#include "compress/pass.h"
#include "compress/truncation.h"
#include "runtime/model.h"

#include <functional>
#include <memory>
#include <string>

namespace sculpt {

// `weighting(i, site)` gives the norm for site i (blockSites() order); `spectrumOf` names the
// matrix whose σ that norm truncates ("W", "W·S"…). A layer whose rank reaches break-even
// stays dense and exact.
CompressedModel truncateUniformly(std::shared_ptr<Model> model, const std::string &method, const std::string &spectrumOf,
                                  double ratio, const std::function<Weighting(size_t, const LinearSite &)> &weighting,
                                  const JobContext &job);

// The activation-aware baselines' whole run: collect each site's input statistics on the
// calibration batches and truncate uniformly in the norm `weighting(statistics)` gives.
CompressedModel truncateWithInputStatistics(std::shared_ptr<Model> model, const Calibration &calibration, double ratio,
                                            const std::string &method, const std::string &spectrumOf,
                                            const std::function<Weighting(const InputStatistics &)> &weighting,
                                            const JobContext &job);

} // namespace sculpt
