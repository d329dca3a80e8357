#pragma once
// How adapters that mix experts (Lily's routers) spread their weight: for each adapted layer,
// the mean softmax weight its router gave each expert over a task's images. Torch-free, so a
// run keeps it in the workspace and the window draws it as a layers × experts heatmap.

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

struct ExpertRouting {
    std::vector<std::string> rows; // one per adapted layer, "<layer> <role>" ("3 q"), in the model's order
    int64_t experts = 0;
    std::vector<double> weights; // rows × experts, row-major; each row sums to 1

    bool empty() const { return rows.empty(); }
    double at(size_t row, int64_t expert) const { return weights[row * size_t(experts) + size_t(expert)]; }
};

// Throws std::invalid_argument unless `weights` holds rows × experts numbers in [0, 1], each
// row summing to 1 (to 1e-6).
void checkExpertRouting(const ExpertRouting &routing);

} // namespace sculpt
