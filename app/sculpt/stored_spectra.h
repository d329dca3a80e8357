#pragma once
// The spectra a model's workspace already holds, read back without computing anything:
// what the window shows as soon as a model reopens.

#include "analysis/spectra_job.h"
#include "job/job.h"

#include <functional>
#include <string>

namespace sculpt {

class Checkpoint;
class Workspace;
struct ModelInventory;

struct StoredSpectra {
    long exact = 0;    // matrices shown with their exact spectrum
    long previews = 0; // matrices that have only randomized top-k previews: the largest k shown
    std::string weightsHash; // of every tensor as it is now (weights_hash.h)
};

// For every matrix whose stored bytes still hash to what `workspace` recorded, its exact
// spectrum, else its largest top-k preview, handed to `onOutcome` (as reused) as it is
// found. Every tensor is hashed, matrices or not, to give the weights' hash; each is read
// once, its pages released after. Throws Cancelled on request.
StoredSpectra loadStoredSpectra(const Checkpoint &checkpoint, const ModelInventory &inventory,
                                const Workspace &workspace,
                                const std::function<void(const SpectrumOutcome &)> &onOutcome,
                                const JobContext &job);

} // namespace sculpt
