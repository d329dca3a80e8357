#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sculpt {

// Element types of every format Sculpt reads. The ggml block-quantised types are listed
// so a GGUF file can be inventoried even where Sculpt cannot dequantise it yet.
enum class DType : uint8_t {
    F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, F8_E4M3, F8_E5M2,
    Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K,
    IQ2_XXS, IQ2_XS, IQ3_XXS, IQ1_S, IQ4_NL, IQ3_S, IQ2_S, IQ4_XS, IQ1_M, TQ1_0, TQ2_0,
};

struct DTypeInfo {
    std::string_view name;  // safetensors spelling for the plain types, ggml's for the rest
    uint32_t blockElements; // 1 for plain types
    uint32_t blockBytes;    // bytes per block (per element for plain types)
    bool toFloat32;         // Sculpt can convert it to float32
};

const DTypeInfo &dtypeInfo(DType t);
inline std::string_view dtypeName(DType t) { return dtypeInfo(t).name; }
std::optional<DType> dtypeFromName(std::string_view name);

// Bytes needed for `elements` values, or nothing when that overflows or the count does not
// fill whole quantisation blocks.
std::optional<uint64_t> storageBytes(DType t, uint64_t elements);

// Converts `elements` contiguous values to float32. Throws std::invalid_argument for a
// type Sculpt cannot convert (the caller adds the file name).
void convertToFloat32(DType t, const std::byte *src, uint64_t elements, float *dst);

float halfToFloat(uint16_t h);
float bfloat16ToFloat(uint16_t b);
uint16_t floatToHalf(float f);

} // namespace sculpt
