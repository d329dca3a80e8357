#pragma once
// LLaMA-shaped safetensors checkpoints of random fp16 weights, written to disk for the
// benchmarks that run `sculpt-cli spectra` on a whole model (bench_model_spectra, bench_cluster)
// and `sculpt-cli diff` on two (bench_diff).

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace bench {

struct ModelShape {
    const char *name;
    int64_t dim, hidden, layers, kvDim, vocab;
    double minFreeGb; // the file plus room for the workspace and everything else on the disk
};

inline constexpr ModelShape kTiny{"tiny LLaMA", 256, 688, 2, 128, 1000, 1};
inline constexpr ModelShape kTinyLlama{"TinyLlama-1.1B", 2048, 5632, 22, 256, 32000, 5};
inline constexpr ModelShape kLlama7b{"LLaMA-2-7B", 4096, 11008, 32, 4096, 32000, 20};

inline constexpr float kWeightScale = 0.02f; // the usual std of LLaMA's initialisation

struct Tensor {
    std::string name;
    std::vector<int64_t> shape;
};

// Hugging Face LLaMA names and [out, in] shapes, in the order of the model's modules.
std::vector<Tensor> llamaTensors(const ModelShape &s);

int64_t elements(const Tensor &t);

// fp16 draws from N(0, kWeightScale); with a drift, the same draws each moved by
// N(0, drift · kWeightScale), from a stream of their own: a fine-tuned copy to diff against.
class HalfNoise {
public:
    explicit HalfNoise(uint64_t seed, float drift = 0)
        : rng_(seed), driftRng_(seed + 1), normal_(0.0f, kWeightScale), drift_(drift * kWeightScale)
    {
    }
    uint16_t next();

private:
    std::mt19937_64 rng_, driftRng_;
    std::normal_distribution<float> normal_, driftNormal_; // the second N(0, 1): a stddev may not be 0
    float drift_;                                          // its scale
};

// `tensors` in F16 filled with HalfNoise(7, drift), synced to disk; returns the file's size in bytes.
uint64_t writeModel(const std::string &path, const std::vector<Tensor> &tensors, float drift = 0);

// Free space in the file system holding `folder`, in GB.
double freeGb(const std::string &folder);

} // namespace bench
