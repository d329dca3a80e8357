#pragma once
#include "io/dtype.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace sculpt {

class MappedFile;

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    // Element strides, outermost first; empty means contiguous row-major.
    std::vector<int64_t> strides;
    // Set when this name is an alias of another tensor's storage (a tied classifier):
    // listed, readable, but not counted again in the parameter total.
    std::string tiedTo;

    uint64_t elements() const;
    bool contiguous() const;
};

// An opened checkpoint: the tensor list, the file's metadata, and views into the mapped
// files. Nothing is read beyond the headers until a tensor is asked for.
class Checkpoint {
public:
    Checkpoint(std::string path, std::string format) : path_(std::move(path)), format_(std::move(format)) {}

    const std::string &path() const { return path_; }
    const std::string &format() const { return format_; }
    const std::vector<TensorInfo> &tensors() const { return tensors_; }
    const std::map<std::string, std::string> &metadata() const { return metadata_; }
    std::map<std::string, std::string> &metadata() { return metadata_; }

    const TensorInfo *find(const std::string &name) const;
    const TensorInfo &at(const std::string &name) const; // FileError when absent

    // The stored bytes of a tensor (the whole span its strides reach). Zero-copy.
    std::span<const std::byte> bytes(const TensorInfo &t) const;
    // The tensor as contiguous float32, converted from its stored type.
    std::vector<float> toFloat32(const TensorInfo &t) const;
    // Done with this tensor's bytes for now: let the memory map give its pages back.
    void release(const TensorInfo &t) const;

    uint64_t parameterCount() const;                    // tied aliases not counted
    std::map<std::string, uint64_t> parametersByDType() const;
    uint64_t tensorBytes() const;                       // stored bytes, tied aliases not counted

    // For readers. `bytes` is where the tensor's storage begins; the reader has
    // already checked that its extent fits inside `file`.
    void add(TensorInfo info, std::shared_ptr<const MappedFile> file, std::span<const std::byte> bytes);
    // Appends another checkpoint's tensors (shards of one model).
    void merge(Checkpoint &&other);

private:
    struct Storage {
        std::shared_ptr<const MappedFile> file;
        std::span<const std::byte> bytes;
    };
    std::string path_;
    std::string format_;
    std::vector<TensorInfo> tensors_;
    std::vector<Storage> storage_;
    std::unordered_map<std::string, size_t> index_;
    std::map<std::string, std::string> metadata_;
};

// "[4096, 11008]": how messages and listings write a shape.
std::string shapeText(std::span<const int64_t> shape);

// Checked arithmetic for readers that must not trust a file's numbers.
std::optional<uint64_t> checkedElements(std::span<const int64_t> shape);

} // namespace sculpt
