#include "io/dtype.h"

#include <array>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sculpt {
namespace {

constexpr std::array<DTypeInfo, 35> kInfos{{
    {"F64", 1, 8, true},      {"F32", 1, 4, true},      {"F16", 1, 2, true},
    {"BF16", 1, 2, true},     {"I64", 1, 8, true},      {"I32", 1, 4, true},
    {"I16", 1, 2, true},      {"I8", 1, 1, true},       {"U8", 1, 1, true},
    {"BOOL", 1, 1, true},     {"F8_E4M3", 1, 1, false}, {"F8_E5M2", 1, 1, false},
    {"Q4_0", 32, 18, true},   {"Q4_1", 32, 20, false},  {"Q5_0", 32, 22, false},
    {"Q5_1", 32, 24, false},  {"Q8_0", 32, 34, true},   {"Q8_1", 32, 36, false},
    {"Q2_K", 256, 84, false}, {"Q3_K", 256, 110, false}, {"Q4_K", 256, 144, false},
    {"Q5_K", 256, 176, false}, {"Q6_K", 256, 210, false}, {"Q8_K", 256, 292, false},
    {"IQ2_XXS", 256, 66, false}, {"IQ2_XS", 256, 74, false}, {"IQ3_XXS", 256, 98, false},
    {"IQ1_S", 256, 50, false}, {"IQ4_NL", 32, 18, false}, {"IQ3_S", 256, 110, false},
    {"IQ2_S", 256, 82, false}, {"IQ4_XS", 256, 136, false}, {"IQ1_M", 256, 56, false},
    {"TQ1_0", 256, 54, false}, {"TQ2_0", 256, 66, false},
}};

template <typename T> T load(const std::byte *p)
{
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <typename T> void convertPlain(const std::byte *src, uint64_t n, float *dst)
{
    for (uint64_t i = 0; i < n; ++i)
        dst[i] = static_cast<float>(load<T>(src + i * sizeof(T)));
}

// ggml Q8_0: per block of 32, a float16 scale then 32 signed bytes.
void dequantQ8_0(const std::byte *src, uint64_t n, float *dst)
{
    for (uint64_t b = 0; b < n / 32; ++b, src += 34, dst += 32) {
        const float d = halfToFloat(load<uint16_t>(src));
        for (int j = 0; j < 32; ++j)
            dst[j] = d * static_cast<float>(static_cast<int8_t>(src[2 + j]));
    }
}

// ggml Q4_0: per block of 32, a float16 scale then 16 bytes; low nibbles are elements
// 0..15, high nibbles 16..31, both offset by 8.
void dequantQ4_0(const std::byte *src, uint64_t n, float *dst)
{
    for (uint64_t b = 0; b < n / 32; ++b, src += 18, dst += 32) {
        const float d = halfToFloat(load<uint16_t>(src));
        for (int j = 0; j < 16; ++j) {
            const auto q = std::to_integer<int>(src[2 + j]);
            dst[j] = d * static_cast<float>((q & 0x0F) - 8);
            dst[j + 16] = d * static_cast<float>((q >> 4) - 8);
        }
    }
}

} // namespace

const DTypeInfo &dtypeInfo(DType t) { return kInfos.at(static_cast<size_t>(t)); }

std::optional<DType> dtypeFromName(std::string_view name)
{
    for (size_t i = 0; i < kInfos.size(); ++i)
        if (kInfos[i].name == name)
            return static_cast<DType>(i);
    return std::nullopt;
}

std::optional<uint64_t> storageBytes(DType t, uint64_t elements)
{
    const DTypeInfo &info = dtypeInfo(t);
    if (elements % info.blockElements != 0)
        return std::nullopt;
    const uint64_t blocks = elements / info.blockElements;
    if (blocks > UINT64_MAX / info.blockBytes)
        return std::nullopt;
    return blocks * info.blockBytes;
}

void convertToFloat32(DType t, const std::byte *src, uint64_t n, float *dst)
{
    if (n == 0) // an empty tensor's buffers may be null, which memcpy must not see
        return;
    switch (t) {
    case DType::F32: std::memcpy(dst, src, n * 4); return;
    case DType::F64: convertPlain<double>(src, n, dst); return;
    case DType::F16:
        for (uint64_t i = 0; i < n; ++i)
            dst[i] = halfToFloat(load<uint16_t>(src + 2 * i));
        return;
    case DType::BF16:
        for (uint64_t i = 0; i < n; ++i)
            dst[i] = bfloat16ToFloat(load<uint16_t>(src + 2 * i));
        return;
    case DType::I64: convertPlain<int64_t>(src, n, dst); return;
    case DType::I32: convertPlain<int32_t>(src, n, dst); return;
    case DType::I16: convertPlain<int16_t>(src, n, dst); return;
    case DType::I8: convertPlain<int8_t>(src, n, dst); return;
    case DType::U8: convertPlain<uint8_t>(src, n, dst); return;
    case DType::BOOL:
        for (uint64_t i = 0; i < n; ++i)
            dst[i] = src[i] != std::byte{0} ? 1.0f : 0.0f;
        return;
    case DType::Q8_0: dequantQ8_0(src, n, dst); return;
    case DType::Q4_0: dequantQ4_0(src, n, dst); return;
    default:
        throw std::invalid_argument("dtype " + std::string(dtypeName(t)) +
                                    " cannot be converted to float32 (not supported yet)");
    }
}

float halfToFloat(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | (mantissa << 13); // inf or nan
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else { // subnormal half: renormalise
        int e = -1;
        do {
            ++e;
            mantissa <<= 1;
        } while ((mantissa & 0x400u) == 0);
        bits = sign | static_cast<uint32_t>(112 - e) << 23 | ((mantissa & 0x3FFu) << 13);
    }
    return std::bit_cast<float>(bits);
}

float bfloat16ToFloat(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

uint16_t floatToHalf(float f)
{
    // Round-to-nearest-even via the usual magic-number trick.
    const uint32_t x = std::bit_cast<uint32_t>(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t absx = x & 0x7FFFFFFFu;
    if (absx >= 0x7F800000u)
        return static_cast<uint16_t>(sign | 0x7C00u | (absx > 0x7F800000u ? 0x200u : 0u));
    if (absx >= 0x477FF000u) // rounds to >= 65520: overflow to inf
        return static_cast<uint16_t>(sign | 0x7C00u);
    if (absx < 0x38800000u) { // subnormal or zero in half
        const float magic = std::bit_cast<float>(0x3F000000u); // 0.5
        const float v = std::bit_cast<float>(absx) + magic;
        return static_cast<uint16_t>(sign | (std::bit_cast<uint32_t>(v) - 0x3F000000u));
    }
    const uint32_t mantOdd = (absx >> 13) & 1u;
    const uint32_t rounded = absx + 0xC8000FFFu + mantOdd; // rebias exponent by -112, round
    return static_cast<uint16_t>(sign | (rounded >> 13));
}

} // namespace sculpt
