#pragma once
#include <cstddef>
#include <span>
#include <string>

namespace sculpt {

// Writes to a temporary file beside `path`, fsyncs, then renames over `path`, so a
// cancelled or killed write never leaves a partial file under the final name.
class AtomicFile {
public:
    explicit AtomicFile(std::string path);
    ~AtomicFile(); // removes the temporary file unless commit() succeeded
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    void write(std::span<const std::byte> bytes);
    void commit();

private:
    std::string path_;
    std::string tempPath_;
    int fd_ = -1;
    bool committed_ = false;
};

} // namespace sculpt
