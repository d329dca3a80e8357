#pragma once
#include "io/dtype.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

// A restricted unpickler for the data.pkl of torch.save checkpoints. A pickle is a program
// for a stack machine that may call any Python function it names; this one names nothing
// but the few callables a state_dict needs and evaluates those itself, so opening a
// checkpoint can never run code from it. Everything else about the file is distrusted too:
// lengths, indices and argument types are checked, and sizes are capped.
namespace sculpt::pickle {

// One-line reason; the checkpoint reader adds the file name.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The only globals a pickle may name. Any other is refused as soon as it is loaded.
enum class Callable : uint8_t { OrderedDict, RebuildTensor, RebuildParameter, StorageType };

struct Global {
    std::string_view name;  // dotted, as Python spells it
    Callable callable;
    DType storageType;      // for Callable::StorageType
};

// A persistent-id reference to `<prefix>/data/<key>` in the archive.
struct Storage {
    std::string key;
    DType dtype;
    uint64_t numel;         // as the pickle claims; the reader checks the entry's size
};

// A tensor from torch._utils._rebuild_tensor_v2, already checked to lie inside its storage.
struct Tensor {
    const Storage *storage;
    uint64_t offset;        // in elements
    uint64_t extent;        // elements reached from `offset`: 1 + Σ(size−1)·stride, 0 when empty
    std::vector<int64_t> shape;
    std::vector<int64_t> strides;
};

struct Value;
struct String { std::string text; };
struct Bytes { std::string data; };
struct Tuple { std::vector<const Value *> items; };
struct List { std::vector<const Value *> items; };
// Insertion order, as OrderedDict keeps it. Keys are not deduplicated: torch never writes
// one twice, and the reader refuses a repeated tensor name.
struct Dict { std::vector<std::pair<const Value *, const Value *>> entries; };

struct Value {
    std::variant<std::monostate, bool, int64_t, double, String, Bytes, Tuple, List, Dict, const Global *,
                 const Storage *, const Tensor *>
        data;

    const Dict *dict() const { return std::get_if<Dict>(&data); }
    const std::string *string() const;
    const Tensor *tensor() const;
};

// The unpickled object graph. Values point at each other (shared and even cyclic
// references are legal in a pickle), so the document owns them all and frees them flat.
class Document {
public:
    // Throws Error for anything but a complete pickle within the limits below.
    explicit Document(std::span<const std::byte> pickle);
    Document(const Document &) = delete;
    Document &operator=(const Document &) = delete;

    const Value &root() const { return *root_; }

private:
    friend class Unpickler;
    std::deque<Value> values_;
    std::deque<Storage> storages_;
    std::deque<Tensor> tensors_;
    const Value *root_ = nullptr;
};

// Limits that bound memory by the work a legitimate state_dict needs, with wide margins:
// a 7B-parameter model's data.pkl holds a few thousand values.
inline constexpr size_t kMaxValues = 10'000'000;
inline constexpr size_t kMaxMemo = 10'000'000;
inline constexpr size_t kMaxStack = 1'000'000;
inline constexpr size_t kMaxDims = 64;

} // namespace sculpt::pickle
