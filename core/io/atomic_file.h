#pragma once
#include <cstddef>
#include <span>
#include <string>

namespace sculpt {

// Writes to a temporary file beside `path` ("<path>.tmp-<host>-<pid>-XXXXXX", leftovers.h),
// fsyncs, then renames over `path`, so a cancelled or killed write never leaves a partial
// file under the final name. The one way Sculpt replaces a file.
class AtomicFile {
public:
    // Removes what dead writers of `path` left behind first.
    explicit AtomicFile(std::string path);
    ~AtomicFile(); // removes the temporary file unless commit() succeeded
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    // For writers that open files by name (HDF5): what they write there is what commit() puts
    // in place.
    const std::string &temporaryPath() const { return tempPath_; }
    // Starts from the current file's bytes and permissions, to edit them; false when there is
    // no file under `path` yet.
    bool copyTarget();

    void write(std::span<const std::byte> bytes);
    // The data reaches the disk before the rename, and the rename is made durable.
    void commit();

private:
    std::string path_;
    std::string tempPath_;
    int fd_ = -1;
    bool copied_ = false; // keeps the copied permissions instead of a plain create's
    bool committed_ = false;
};

} // namespace sculpt
