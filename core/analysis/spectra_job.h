#pragma once
// The spectra of a whole checkpoint as one job: every analysable matrix, streamed one at
// a time from the memory map, two at once on two cores, reusing what the workspace holds.

#include "analysis/randomized_svd.h"
#include "analysis/spectrum.h"
#include "analysis/spectrum_shards.h"
#include "job/job.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sculpt {

class Checkpoint;
class Workspace;
struct ModelInventory;

struct SpectrumOutcome {
    std::string name;
    std::vector<int64_t> shape;
    std::optional<TensorSpectrum> spectrum; // absent when skipped
    bool reused = false;                    // came from the workspace
    std::string skipped;                    // why there is no spectrum
};

struct SpectraOptions {
    int topK = 0;                  // 0: exact spectra; k > 0: randomized top-k previews
    RandomizedOptions randomized;
    std::string match;             // ECMAScript regex searched in tensor names; empty: all
    // Only this shard of the matrices the match selects (shardOf the spectraMatrices), and
    // then only they are listed: the tensors that are not matrices belong to no shard.
    std::optional<ShardSpec> shard;
    int workers = 0;               // matrices computed at once; 0: one per core
    // Called as each matrix is done (computed, reused or skipped), so a window can show
    // spectra while the job runs. Runs on a worker thread under the job's lock: keep it
    // short and do not throw.
    std::function<void(const SpectrumOutcome &)> onOutcome;
};

// The method key a spectrum is stored under: "exact" or "top<K>".
std::string spectrumMethod(const SpectraOptions &options);

// The matrices a run with `match` computes, in checkpoint order: every weight the inventory
// finds analysable whose name the pattern selects. Throws std::regex_error for a bad pattern.
std::vector<NamedMatrix> spectraMatrices(const ModelInventory &inventory, const std::string &match);

// Outcomes in checkpoint order for every tensor the match selects. New spectra are put
// into `workspace` (when given) as they finish, so a cancelled run keeps its work; the
// caller saves it. Throws Cancelled, std::regex_error for a bad pattern, std::invalid_argument
// for a shard that is none of its count.
std::vector<SpectrumOutcome> computeSpectra(const Checkpoint &checkpoint, const ModelInventory &inventory,
                                            const SpectraOptions &options, Workspace *workspace,
                                            const JobContext &job = {});

} // namespace sculpt
