#pragma once
// The spectra a model's workspace already holds, read back without computing anything:
// what the window shows as soon as a model reopens.

#include "analysis/spectra_job.h"
#include "job/job.h"

#include <functional>
#include <string>

namespace sculpt {

class Checkpoint;
struct ModelInventory;

// For every matrix whose stored bytes still hash to what the workspace recorded, its exact
// spectrum from the workspace at `workspacePath`, handed to `onOutcome` (as reused) as it is
// found. Hashing reads each tensor once, releasing its pages after. Returns how many were
// found. Throws FileError when the file is not this model's workspace, Cancelled on request.
long loadStoredSpectra(const Checkpoint &checkpoint, const ModelInventory &inventory, const std::string &workspacePath,
                       const std::function<void(const SpectrumOutcome &)> &onOutcome, const JobContext &job);

} // namespace sculpt
