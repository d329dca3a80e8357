#pragma once
// A comparison of two checkpoints tensor by tensor, as core/diff computes it and a workspace
// keeps it (in A's, under B's fingerprint). Torch-free.

#include "model/inventory.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sculpt {

struct DiffOptions {
    int topK = 0;       // the difference's top k singular values; 0: all of them, exactly
    int subspaceK = 16; // how many leading singular vectors of A and B are compared
    bool spectra = true; // false: the distances only (a quick look at two large models)
};

// One tensor on one side: stored, or a factorized export's pair weight_a · weight_b.
struct DiffSide {
    std::string name;           // the stored tensor, or the factors' common stem + ".weight"
    std::vector<int64_t> shape; // as a researcher reads it: [out, in] for a matrix
    bool factorized = false;
};

struct TensorDiff {
    DiffSide a, b;
    int block = -1; // from whichever side's inventory knows it
    Role role = Role::Other;
    std::optional<MatrixShape> matrix; // how both are read as a matrix; none for a vector
    double normA = 0, normB = 0; // Frobenius
    double relativeDistance = 0; // ‖A − B‖ / ‖A‖ (‖A − B‖ when A is zero)
    double cosine = 0;           // ⟨A, B⟩ / (‖A‖ ‖B‖); 1 when both are zero
    double maxAbsDifference = 0;
    // A matrix's only: σ of A − B (all, or the top k), descending; its stable rank
    // ‖A − B‖² / σ₁² (0 when A = B); and the mean cos² of the principal angles between the
    // top-k singular subspaces of A and B on the matrix's longer side (1: the same subspace;
    // subspaceK 0: not compared, as for a square matrix whose k would span it all).
    std::vector<double> differenceSpectrum;
    std::vector<double> spectrumA, spectrumB; // each side's own, by the same method, for setting beside it
    double stableRank = 0;
    double subspaceOverlap = 0;
    int subspaceK = 0;
};

// What could not be compared: a tensor only one side has, or one whose shapes differ.
struct DiffMismatch {
    DiffSide a, b; // the missing side's name is empty
};

struct ModelDiff {
    Architecture architecture = Architecture::Generic; // A's
    std::vector<TensorDiff> tensors;                   // in A's order
    std::vector<DiffMismatch> onlyInA, onlyInB, reshaped;
};

// What a diff's numbers mean as this Sculpt computes them: one stored by another is never read
// back as this one's.
inline constexpr int kDiffAlgorithm = 2; // 2: subspaces on the longer side

// One diff as the workspace of A keeps it.
struct DiffRecord {
    std::string id;               // its name under /diffs: given by Workspace::save(), empty before
    std::string otherPath;        // B
    std::string otherFingerprint; // B's model fingerprint (hex): its names, dtypes and shapes
    // Both sides' weights as they were (session/weights_hash.h): a stored diff stands for the
    // pair only while neither has changed.
    std::string weightsA, weightsB;
    DiffOptions options;
    ModelDiff diff;
    std::string date; // when it finished: ISO 8601, UTC
    double seconds = 0;
    int algorithm = kDiffAlgorithm;
};

} // namespace sculpt
