#include "stored_spectra.h"

#include "analysis/content_hash.h"
#include "io/checkpoint.h"
#include "model/inventory.h"
#include "workspace/workspace.h"

namespace sculpt {

long loadStoredSpectra(const Checkpoint &checkpoint, const ModelInventory &inventory, const std::string &workspacePath,
                       const std::function<void(const SpectrumOutcome &)> &onOutcome, const JobContext &job)
{
    const Workspace workspace = Workspace::open(workspacePath, {checkpoint.path(), modelFingerprint(checkpoint)});
    long matrices = 0, found = 0, done = 0;
    for (const Weight &w : inventory.weights)
        matrices += w.matrix.has_value();
    for (const Weight &w : inventory.weights) {
        if (!w.matrix)
            continue;
        job.checkCancelled();
        const TensorInfo &tensor = checkpoint.at(w.name);
        const std::string hash = contentHash(checkpoint.bytes(tensor));
        checkpoint.release(tensor);
        if (auto stored = workspace.spectrum(w.name, "exact", hash)) {
            SpectrumOutcome outcome;
            outcome.name = w.name;
            outcome.shape = w.shape;
            outcome.spectrum = std::move(stored);
            outcome.reused = true;
            onOutcome(outcome);
            ++found;
        }
        job.report(++done, matrices, w.name);
    }
    return found;
}

} // namespace sculpt
