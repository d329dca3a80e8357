#include "io/file_lock.h"

#include "io/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace sculpt {

FileLock::FileLock(const std::string &path)
{
    const std::string lockPath = path + ".lock";
    fd_ = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0)
        throw FileError(lockPath, std::string("cannot make the lock file: ") + std::strerror(errno));
    // flock locks belong to the open file description, so two threads of one process (each
    // with its own descriptor) exclude each other as two processes do.
    while (::flock(fd_, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        const int error = errno;
        ::close(fd_);
        throw FileError(lockPath, std::string("cannot lock: ") + std::strerror(error));
    }
}

FileLock::~FileLock() { ::close(fd_); }

} // namespace sculpt
