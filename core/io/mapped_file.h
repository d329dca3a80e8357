#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace sculpt {

// A read-only memory map of a whole file. Tensors are views into it, so opening a
// checkpoint touches only the pages its header lives on.
class MappedFile {
public:
    static std::shared_ptr<const MappedFile> open(const std::string &path);
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const std::string &path() const { return path_; }
    uint64_t size() const { return size_; }
    const std::byte *data() const { return data_; }

    // The bytes [offset, offset + length), or a FileError when the file is too short.
    std::span<const std::byte> slice(uint64_t offset, uint64_t length, const char *what) const;

    // Drops the pages under `bytes` from this process's resident set (they stay in the
    // page cache). Streaming a 13 GB model would otherwise leave all of it counted as ours.
    void release(std::span<const std::byte> bytes) const;

private:
    MappedFile(std::string path, const std::byte *data, uint64_t size)
        : path_(std::move(path)), data_(data), size_(size) {}
    std::string path_;
    const std::byte *data_;
    uint64_t size_;
};

} // namespace sculpt
