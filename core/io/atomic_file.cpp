#include "io/atomic_file.h"

#include "io/error.h"
#include "io/leftovers.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
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

std::string systemError(const std::string &what) { return what + ": " + std::strerror(errno); }

} // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path))
{
    recoverLeftovers(path_);
    std::string pattern = inProgressName(path_, "tmp") + "-XXXXXX";
    fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd_ < 0)
        throw FileError(path_, systemError("cannot create a temporary file beside it"));
    tempPath_ = pattern;
}

AtomicFile::~AtomicFile()
{
    if (fd_ >= 0)
        ::close(fd_);
    if (!committed_)
        ::unlink(tempPath_.c_str());
}

bool AtomicFile::copyTarget()
{
    std::error_code error;
    std::filesystem::copy_file(path_, tempPath_, std::filesystem::copy_options::overwrite_existing, error);
    if (error == std::errc::no_such_file_or_directory)
        return false;
    if (error)
        throw FileError(path_, "cannot copy it: " + error.message());
    copied_ = true;
    return true;
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
            throw FileError(path_, systemError("write failed"));
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

void AtomicFile::commit()
{
    if (!copied_) { // mkstemp makes the file private; give it the mode a plain create would
        const mode_t mask = ::umask(0);
        ::umask(mask);
        ::fchmod(fd_, 0666 & ~mask);
    }
    // fsync flushes the file, whichever descriptor (ours, or HDF5's) wrote it.
    if (::fsync(fd_) != 0)
        throw FileError(path_, systemError("fsync failed"));
    ::close(fd_);
    fd_ = -1;
    if (::rename(tempPath_.c_str(), path_.c_str()) != 0)
        throw FileError(path_, systemError("rename failed"));
    committed_ = true;
    // Makes the rename itself durable; the new file is in place either way, so a failure
    // here is no reason to report the write as failed.
    const int dir = ::open(directoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

} // namespace sculpt
