#include "stored_spectra.h"

#include "analysis/content_hash.h"
#include "io/checkpoint.h"
#include "model/inventory.h"
#include "session/weights_hash.h"
#include "workspace/workspace.h"

#include <charconv>
#include <map>

namespace sculpt {
namespace {

// "exact" when it is stored, else the "top<K>" of the largest K; empty when neither is.
std::string bestMethod(const std::vector<std::string> &methods)
{
    std::string best;
    long bestK = 0;
    for (const std::string &method : methods) {
        if (method == "exact")
            return method;
        long k = 0;
        const char *digits = method.data() + 3;
        if (method.starts_with("top") && std::from_chars(digits, method.data() + method.size(), k).ec == std::errc() &&
            k > bestK) {
            bestK = k;
            best = method;
        }
    }
    return best;
}

} // namespace

StoredSpectra loadStoredSpectra(const Checkpoint &checkpoint, const ModelInventory &inventory,
                                const Workspace &workspace,
                                const std::function<void(const SpectrumOutcome &)> &onOutcome,
                                const JobContext &job)
{
    std::map<std::string, const Weight *> matrices;
    for (const Weight &w : inventory.weights)
        if (w.matrix)
            matrices.emplace(w.name, &w);
    StoredSpectra found;
    WeightsHash weights;
    const auto &tensors = checkpoint.tensors();
    long done = 0;
    for (const TensorInfo &tensor : tensors) {
        job.checkCancelled();
        const std::string hash = contentHash(checkpoint.bytes(tensor));
        checkpoint.release(tensor);
        weights.add(tensor.name, hash);
        const auto matrix = matrices.find(tensor.name);
        const std::string method =
            matrix == matrices.end() ? std::string() : bestMethod(workspace.methods(tensor.name, hash));
        if (auto stored = method.empty() ? std::nullopt : workspace.spectrum(tensor.name, method, hash)) {
            SpectrumOutcome outcome;
            outcome.name = tensor.name;
            outcome.shape = matrix->second->shape;
            outcome.spectrum = std::move(stored);
            outcome.reused = true;
            onOutcome(outcome);
            ++(method == "exact" ? found.exact : found.previews);
        }
        job.report(++done, long(tensors.size()), tensor.name);
    }
    found.weightsHash = weights.hex();
    return found;
}

} // namespace sculpt
