#pragma once
// PEFT LoRA folders as tests make them without torch: adapter_config.json and
// adapter_model.safetensors holding factors the test chose, and the dense update
// (α/r)·B·A those factors make, to take reference spectra of.

#include "adapt/peft_folder.h"
#include "io/safetensors.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace sculpt::test {

struct LoraFactors {
    std::string module;
    int64_t out = 0, in = 0, r = 0;
    std::vector<float> a, b; // row-major lora_A [r, in] and lora_B [out, r]
};

// Gaussian factors (sd 0.2), the same for the same seed.
inline LoraFactors randomFactors(const std::string &module, int64_t out, int64_t in, int64_t r, uint32_t seed)
{
    std::mt19937 generator(seed);
    std::normal_distribution<float> normal(0.0f, 0.2f);
    LoraFactors f{module, out, in, r, std::vector<float>(size_t(r * in)), std::vector<float>(size_t(out * r))};
    for (float &v : f.a)
        v = normal(generator);
    for (float &v : f.b)
        v = normal(generator);
    return f;
}

// (α/r)·B·A, row-major [out, in], in float64.
inline std::vector<double> denseDelta(const LoraFactors &f, double alpha)
{
    std::vector<double> delta(size_t(f.out * f.in), 0.0);
    for (int64_t i = 0; i < f.out; ++i)
        for (int64_t k = 0; k < f.r; ++k) {
            const double bik = alpha / double(f.r) * f.b[size_t(i * f.r + k)];
            for (int64_t j = 0; j < f.in; ++j)
                delta[size_t(i * f.in + j)] += bik * f.a[size_t(k * f.in + j)];
        }
    return delta;
}

// A config as PEFT writes one, targeting the factors' modules by their whole names.
inline nlohmann::json loraConfig(const std::vector<LoraFactors> &factors, int64_t r, double alpha,
                                 const std::string &base)
{
    nlohmann::json targets = nlohmann::json::array();
    for (const LoraFactors &f : factors)
        targets.push_back(f.module);
    return {{"peft_type", "LORA"},         {"r", r},           {"lora_alpha", alpha},
            {"target_modules", targets},   {"bias", "none"},   {"base_model_name_or_path", base},
            {"rank_pattern", nlohmann::json::object()},        {"alpha_pattern", nlohmann::json::object()},
            {"task_type", nullptr},        {"use_rslora", false}, {"use_dora", false}};
}

// The folder with every factor but `without` ("<module>.lora_B.weight" for a damaged one).
inline void writePeftFolder(const std::string &folder, const nlohmann::json &config, const std::vector<LoraFactors> &factors,
                            const std::string &without = {})
{
    std::filesystem::create_directories(folder);
    std::ofstream(folder + "/" + kPeftConfigFile) << config.dump(2);
    std::vector<TensorToWrite> tensors;
    for (const LoraFactors &f : factors) {
        tensors.push_back({f.module + ".lora_A.weight", DType::F32, {f.r, f.in}, std::as_bytes(std::span(f.a))});
        tensors.push_back({f.module + ".lora_B.weight", DType::F32, {f.out, f.r}, std::as_bytes(std::span(f.b))});
    }
    std::erase_if(tensors, [&](const TensorToWrite &t) { return t.name == without; });
    for (TensorToWrite &t : tensors)
        t.name = kPeftPrefix + t.name;
    writeSafetensors(folder + "/" + kPeftWeightsFile, tensors, {{"format", "pt"}});
}

} // namespace sculpt::test
