#include "io/gguf.h"

#include "io/error.h"
#include "io/mapped_file.h"
#include "io/shortest_text.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

namespace sculpt {
namespace {

// The smallest encodings, used to refuse counts the file could not possibly hold.
constexpr uint64_t kMinKeyValueBytes = 13;   // empty key, value type, one-byte value
constexpr uint64_t kMinTensorInfoBytes = 24; // empty name, no dims, type, offset

constexpr uint64_t kMaxNameBytes = 64 * 1024;
constexpr uint32_t kMaxDims = 8;
constexpr int kMaxArrayDepth = 4;
constexpr uint64_t kMaxListedElements = 16;
constexpr uint32_t kDefaultAlignment = 32;

// Metadata value types, by their id in the file.
enum ValueType : uint32_t {
    kUInt8, kInt8, kUInt16, kInt16, kUInt32, kInt32, kFloat32, kBool, kString, kArray, kUInt64, kInt64, kFloat64,
};

struct ValueTypeInfo {
    std::string_view name;
    uint64_t minBytes; // exact for fixed-size types, the least possible for strings and arrays
    bool fixed;
};

constexpr std::array<ValueTypeInfo, 13> kValueTypes{{
    {"UINT8", 1, true},   {"INT8", 1, true},    {"UINT16", 2, true}, {"INT16", 2, true},
    {"UINT32", 4, true},  {"INT32", 4, true},   {"FLOAT32", 4, true}, {"BOOL", 1, true},
    {"STRING", 8, false}, {"ARRAY", 12, false}, {"UINT64", 8, true}, {"INT64", 8, true},
    {"FLOAT64", 8, true},
}};

// ggml's type ids; the gaps are ids ggml has retired.
std::optional<DType> dtypeFromGgml(uint32_t id)
{
    switch (id) {
    case 0: return DType::F32;
    case 1: return DType::F16;
    case 2: return DType::Q4_0;
    case 3: return DType::Q4_1;
    case 6: return DType::Q5_0;
    case 7: return DType::Q5_1;
    case 8: return DType::Q8_0;
    case 9: return DType::Q8_1;
    case 10: return DType::Q2_K;
    case 11: return DType::Q3_K;
    case 12: return DType::Q4_K;
    case 13: return DType::Q5_K;
    case 14: return DType::Q6_K;
    case 15: return DType::Q8_K;
    case 16: return DType::IQ2_XXS;
    case 17: return DType::IQ2_XS;
    case 18: return DType::IQ3_XXS;
    case 19: return DType::IQ1_S;
    case 20: return DType::IQ4_NL;
    case 21: return DType::IQ3_S;
    case 22: return DType::IQ2_S;
    case 23: return DType::IQ4_XS;
    case 24: return DType::I8;
    case 25: return DType::I16;
    case 26: return DType::I32;
    case 27: return DType::I64;
    case 28: return DType::F64;
    case 29: return DType::IQ1_M;
    case 30: return DType::BF16;
    case 34: return DType::TQ1_0;
    case 35: return DType::TQ2_0;
    default: return std::nullopt;
    }
}

// A bounds-checked little-endian reader over the mapped file. Each read names its field,
// so a short file says which field ran out.
class Cursor {
public:
    explicit Cursor(const MappedFile &file) : file_(file) {}

    uint64_t position() const { return pos_; }
    uint64_t remaining() const { return file_.size() - pos_; }

    [[noreturn]] void fail(const std::string &why) const { throw FileError(file_.path(), why); }

    std::span<const std::byte> take(uint64_t n, const char *what)
    {
        const auto bytes = file_.slice(pos_, n, what);
        pos_ += n;
        return bytes;
    }

    template <typename T> T read(const char *what)
    {
        std::array<std::byte, sizeof(T)> raw;
        std::ranges::copy(take(sizeof(T), what), raw.begin());
        if constexpr (std::endian::native == std::endian::big)
            std::ranges::reverse(raw);
        return std::bit_cast<T>(raw);
    }

    // A GGUF string: a uint64 length, then that many bytes with no terminator.
    std::string_view string(const char *what, uint64_t maxBytes)
    {
        const auto n = read<uint64_t>(what);
        if (n > maxBytes)
            fail(std::string(what) + " is " + std::to_string(n) + " bytes long (the limit is " +
                 std::to_string(maxBytes) + ")");
        if (n > remaining())
            fail(std::string(what) + " length " + std::to_string(n) + " runs past the end of the file (" +
                 std::to_string(remaining()) + " bytes left)");
        const auto bytes = take(n, what);
        return {reinterpret_cast<const char *>(bytes.data()), bytes.size()};
    }

private:
    const MappedFile &file_;
    uint64_t pos_ = 0;
};

// Strings inside a listed array are quoted JSON-style, so items stay apart however they read.
std::string quoted(std::string_view s)
{
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
            out += escape;
        } else {
            out += c;
        }
    }
    return out + '"';
}

uint32_t readValueType(Cursor &in, const char *what)
{
    const auto type = in.read<uint32_t>(what);
    if (type >= kValueTypes.size())
        in.fail("unknown metadata value type " + std::to_string(type));
    return type;
}

std::string readValue(Cursor &in, uint32_t type, int depth);

// Arrays longer than kMaxListedElements (vocabularies, merges) are walked but kept only as
// a summary: listing 100k tokens in an inventory helps nobody.
std::string readArray(Cursor &in, int depth)
{
    if (depth >= kMaxArrayDepth)
        in.fail("metadata arrays nest deeper than " + std::to_string(kMaxArrayDepth) + " levels");
    const uint32_t type = readValueType(in, "array element type");
    const auto &info = kValueTypes[type];
    const auto count = in.read<uint64_t>("array length");
    if (count > in.remaining() / info.minBytes)
        in.fail("array of " + std::to_string(count) + " " + std::string(info.name) + " cannot fit in the " +
                std::to_string(in.remaining()) + " bytes left in the file");
    if (count > kMaxListedElements) {
        if (info.fixed)
            in.take(count * info.minBytes, "metadata array");
        else
            for (uint64_t i = 0; i < count; ++i)
                readValue(in, type, depth + 1);
        return "[array of " + std::to_string(count) + " " + std::string(info.name) + "]";
    }
    std::string out = "[";
    for (uint64_t i = 0; i < count; ++i) {
        if (i > 0)
            out += ", ";
        const std::string item = readValue(in, type, depth + 1);
        out += type == kString ? quoted(item) : item;
    }
    return out + "]";
}

std::string readValue(Cursor &in, uint32_t type, int depth)
{
    switch (type) {
    case kUInt8: return shortestText(in.read<uint8_t>("metadata value"));
    case kInt8: return shortestText(in.read<int8_t>("metadata value"));
    case kUInt16: return shortestText(in.read<uint16_t>("metadata value"));
    case kInt16: return shortestText(in.read<int16_t>("metadata value"));
    case kUInt32: return shortestText(in.read<uint32_t>("metadata value"));
    case kInt32: return shortestText(in.read<int32_t>("metadata value"));
    case kFloat32: return shortestText(in.read<float>("metadata value"));
    case kBool: return in.read<uint8_t>("metadata value") != 0 ? "true" : "false";
    case kString: return std::string(in.string("metadata string", UINT64_MAX));
    case kArray: return readArray(in, depth);
    case kUInt64: return shortestText(in.read<uint64_t>("metadata value"));
    case kInt64: return shortestText(in.read<int64_t>("metadata value"));
    case kFloat64: return shortestText(in.read<double>("metadata value"));
    default: in.fail("unknown metadata value type " + std::to_string(type));
    }
}

uint32_t readAlignment(Cursor &in, uint32_t type)
{
    if (type != kUInt32)
        in.fail("general.alignment is a " + std::string(kValueTypes[type].name) + ", not a UINT32");
    const auto alignment = in.read<uint32_t>("general.alignment");
    if (!std::has_single_bit(alignment))
        in.fail("general.alignment " + std::to_string(alignment) + " is not a power of two");
    return alignment;
}

// Reads every key-value pair into `metadata`; returns the data alignment they set.
uint32_t readMetadata(Cursor &in, uint64_t count, std::map<std::string, std::string> &metadata)
{
    uint32_t alignment = kDefaultAlignment;
    for (uint64_t i = 0; i < count; ++i) {
        std::string key(in.string("metadata key", kMaxNameBytes));
        const uint32_t type = readValueType(in, "metadata value type");
        std::string value;
        if (key == "general.alignment") {
            alignment = readAlignment(in, type);
            value = std::to_string(alignment);
        } else {
            value = readValue(in, type, 0);
        }
        if (!metadata.emplace(key, std::move(value)).second)
            in.fail("metadata key '" + key + "' appears twice");
    }
    return alignment;
}

struct Entry {
    TensorInfo info;
    uint64_t offset = 0; // from the start of the data section
    uint64_t bytes = 0;
};

Entry readTensorInfo(Cursor &in, uint32_t alignment)
{
    Entry e;
    e.info.name = in.string("tensor name", kMaxNameBytes);
    const auto fail = [&](const std::string &why) { in.fail("tensor '" + e.info.name + "': " + why); };

    const auto dims = in.read<uint32_t>("tensor dimension count");
    if (dims > kMaxDims)
        fail(std::to_string(dims) + " dimensions (at most " + std::to_string(kMaxDims) + " are allowed)");
    // ggml lists ne[0], the fastest-varying dimension, first: PyTorch order is the reverse.
    e.info.shape.resize(dims);
    for (uint32_t d = dims; d-- > 0;) {
        const auto n = in.read<uint64_t>("tensor dimension");
        if (n > static_cast<uint64_t>(INT64_MAX))
            fail("dimension " + std::to_string(n) + " is out of range");
        e.info.shape[d] = static_cast<int64_t>(n);
    }

    const auto typeId = in.read<uint32_t>("tensor type");
    const auto dtype = dtypeFromGgml(typeId);
    if (!dtype)
        fail("unknown ggml type id " + std::to_string(typeId));
    e.info.dtype = *dtype;

    e.offset = in.read<uint64_t>("tensor offset");
    if (e.offset % alignment != 0)
        fail("offset " + std::to_string(e.offset) + " is not a multiple of the alignment " +
             std::to_string(alignment));

    const auto elements = checkedElements(e.info.shape);
    if (!elements)
        fail("the product of its dimensions overflows");
    // ggml quantises row by row, so the innermost dimension must fill whole blocks.
    const uint32_t block = dtypeInfo(*dtype).blockElements;
    const int64_t innermost = e.info.shape.empty() ? 1 : e.info.shape.back();
    if (innermost % block != 0)
        fail("innermost dimension " + std::to_string(innermost) + " is not a multiple of the " +
             std::string(dtypeName(*dtype)) + " block of " + std::to_string(block));
    const auto bytes = storageBytes(*dtype, *elements);
    if (!bytes)
        fail("its size in bytes overflows");
    e.bytes = *bytes;
    return e;
}

// Every tensor must lie inside the file, and no two may share a byte.
void checkExtents(const MappedFile &file, const std::vector<Entry> &entries, uint64_t dataStart)
{
    if (entries.empty())
        return;
    if (dataStart > file.size())
        throw FileError(file.path(), "truncated: the tensor data would start past the end of the file");
    const uint64_t dataLength = file.size() - dataStart;
    std::vector<const Entry *> byOffset;
    for (const auto &e : entries) {
        if (e.offset > dataLength || e.bytes > dataLength - e.offset)
            throw FileError(file.path(), "tensor '" + e.info.name + "' (" + std::to_string(e.bytes) +
                                             " bytes at data offset " + std::to_string(e.offset) +
                                             ") runs past the end of the file");
        if (e.bytes > 0)
            byOffset.push_back(&e);
    }
    std::ranges::sort(byOffset, {}, &Entry::offset);
    for (size_t i = 1; i < byOffset.size(); ++i) {
        const Entry &before = *byOffset[i - 1];
        if (byOffset[i]->offset < before.offset + before.bytes)
            throw FileError(file.path(), "tensors '" + before.info.name + "' and '" + byOffset[i]->info.name +
                                             "' overlap");
    }
}

void checkVersion(const Cursor &in, uint32_t version)
{
    if (version == 2 || version == 3)
        return;
    // Version 3 allows big-endian files; their version reads byte-swapped.
    if (version == 0x02000000u || version == 0x03000000u)
        in.fail("big-endian GGUF files are not supported");
    in.fail("GGUF version " + std::to_string(version) + " is not supported (2 and 3 are)");
}

} // namespace

bool claimsGguf(std::span<const std::byte> head, uint64_t)
{
    constexpr std::array magic{std::byte{'G'}, std::byte{'G'}, std::byte{'U'}, std::byte{'F'}};
    return head.size() >= magic.size() && std::ranges::equal(head.first(magic.size()), magic);
}

std::unique_ptr<Checkpoint> readGguf(const std::string &path)
{
    const auto file = MappedFile::open(path);
    Cursor in(*file);
    if (!claimsGguf(in.take(4, "GGUF magic"), file->size()))
        in.fail("not a GGUF file (no GGUF magic at the start)");
    checkVersion(in, in.read<uint32_t>("GGUF version"));
    const auto tensorCount = in.read<uint64_t>("tensor count");
    const auto kvCount = in.read<uint64_t>("metadata count");
    const auto checkTensorCount = [&] {
        if (tensorCount > in.remaining() / kMinTensorInfoBytes)
            in.fail("absurd tensor count " + std::to_string(tensorCount) + ": the " +
                    std::to_string(in.remaining()) + " bytes left cannot describe that many tensors");
    };
    checkTensorCount();
    if (kvCount > in.remaining() / kMinKeyValueBytes)
        in.fail("absurd metadata count " + std::to_string(kvCount) + ": the " + std::to_string(in.remaining()) +
                " bytes left cannot hold that many key-value pairs");

    auto checkpoint = std::make_unique<Checkpoint>(path, "gguf");
    const uint32_t alignment = readMetadata(in, kvCount, checkpoint->metadata());
    checkTensorCount(); // tighter now that the metadata is behind us

    std::vector<Entry> entries;
    for (uint64_t i = 0; i < tensorCount; ++i)
        entries.push_back(readTensorInfo(in, alignment));
    const uint64_t dataStart = in.position() + (alignment - in.position() % alignment) % alignment;
    checkExtents(*file, entries, dataStart);

    for (auto &e : entries) {
        const auto bytes = file->slice(dataStart + e.offset, e.bytes, "tensor data");
        checkpoint->add(std::move(e.info), file, bytes);
    }
    return checkpoint;
}

} // namespace sculpt
