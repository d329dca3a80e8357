#include "io/atomic_file.h"

#include "io/error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sculpt {
namespace {

std::string directoryOf(const std::string &path)
{
    const auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path))
{
    std::string pattern = path_ + ".tmp-XXXXXX";
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0)
        throw FileError(path_, std::string("cannot create a temporary file: ") + std::strerror(errno));
    tempPath_ = pattern;
}

AtomicFile::~AtomicFile()
{
    if (fd_ >= 0)
        ::close(fd_);
    if (!committed_)
        ::unlink(tempPath_.c_str());
}

void AtomicFile::write(std::span<const std::byte> bytes)
{
    const std::byte *p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw FileError(path_, std::string("write failed: ") + std::strerror(errno));
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

void AtomicFile::commit()
{
    // mkstemp makes the file private; give it the mode a plain create would.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd_, 0666 & ~mask);
    if (::fsync(fd_) != 0)
        throw FileError(path_, std::string("fsync failed: ") + std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
    if (::rename(tempPath_.c_str(), path_.c_str()) != 0)
        throw FileError(path_, std::string("rename failed: ") + std::strerror(errno));
    committed_ = true;
    // Make the rename itself durable.
    const int dir = ::open(directoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

} // namespace sculpt
