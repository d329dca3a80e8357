#pragma once
// The model inventory: what each tensor of a checkpoint is (which block, which role),
// and which ones are matrices worth a singular spectrum.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sculpt {

class Checkpoint;

enum class Architecture { Llama, Gpt2, Vit, Llava, Layout, Bert, Cnn, Generic };

// Modulation: adaLN's projection of a conditioning vector into a block's shifts, scales and gates
// (a diffusion transformer's, such as the layout model's).
enum class Role { Q, K, V, QKV, O, Gate, Up, Down, Fc1, Fc2, Embed, Head, Norm, Conv, Modulation, Other };

std::string_view architectureName(Architecture a);
std::string_view roleName(Role r);

struct MatrixShape {
    int64_t rows = 0; // output features
    int64_t cols = 0; // input features (× kernel size for a conv)
};

struct Weight {
    std::string name;            // the checkpoint's tensor name
    int block = -1;              // transformer block or layer index; -1 outside blocks
    Role role = Role::Other;
    std::vector<int64_t> shape;  // as a researcher reads it: [out, in] for linear layers
    bool transposed = false;     // stored [in, out] (GPT-2's Conv1D)
    std::optional<MatrixShape> matrix; // set when the weight is analysable as a 2-D matrix
};

struct ModelInventory {
    Architecture architecture = Architecture::Generic;
    std::vector<Weight> weights; // in checkpoint order
    std::vector<int> blocks() const; // distinct block indices, ascending
};

ModelInventory buildInventory(const Checkpoint &checkpoint);

// The weight as a row-major [rows, cols] float32 matrix (transposing GPT-2's Conv1D,
// flattening conv kernels). Throws FileError when the weight is not analysable.
std::vector<float> readMatrix(const Checkpoint &checkpoint, const Weight &weight);

} // namespace sculpt
