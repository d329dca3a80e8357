#pragma once
// How much each adapter matters for a task, and what Pear's prune-and-share did with the
// ranking: which positions lost their adapter and which kept adapter serves each of them.
// Torch-free, so the run that scores, the workspace that keeps and the bar chart that shows
// share one ranking.

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

// One adapter where it sits: on a linear site (LoRA, Lily) or beside a block's MLP (bottleneck).
struct AdapterPosition {
    std::string site; // the linear site's or the MLP site's name
    int64_t layer = -1;
    std::string role; // the linear site's role ("q", "v" …), "mlp" beside an MLP
    std::string kind; // the adapter's: "lora", "bottleneck", "lily" …
    int64_t parameters = 0; // its own tensors' elements (a Lily's share of model-wide experts not counted)
};

struct AdapterScore {
    AdapterPosition position;
    double score = 0; // ≥ 0, larger = more important
};

// The ⌊p·N⌋ lowest-scored of N positions (ties: the later position goes first), as flags in
// the scores' order. Throws std::invalid_argument for p outside [0, 1] or a NaN score.
std::vector<bool> weakestAdapters(const std::vector<AdapterScore> &scores, double p);

// Each position's rank, 1 the most important, by weakestAdapters' order reversed: the first
// position weakestAdapters prunes is ranked last.
std::vector<int64_t> adapterRanks(const std::vector<AdapterScore> &scores);

// What prune-and-share did, position by position in the scores' order.
struct AdapterSharing {
    double fraction = 0;      // p: the share of positions pruned
    std::string rule;         // how a pruned position found its server: "depth", "output"; "none": plain pruning
    bool knowledgeCheckpoint = false; // pruned adapters' knowledge kept (pear's --no-checkpoint clears it)
    std::vector<bool> pruned;
    // The kept position whose adapter serves each pruned one; −1 for kept positions, and for
    // pruned ones left unserved (plain pruning, or no kept adapter of their kind and shape).
    std::vector<int64_t> servedBy;
};

// Throws std::invalid_argument unless `sharing` fits `count` positions: both vectors that
// long, every server a kept position, no kept position served.
void checkAdapterSharing(const AdapterSharing &sharing, size_t count);

} // namespace sculpt
