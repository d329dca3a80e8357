#include "io/mapped_file.h"

#include "io/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sculpt {

std::shared_ptr<const MappedFile> MappedFile::open(const std::string &path)
{
    // Only regular files are opened: opening a FIFO waits for a writer forever, and opening
    // a device can have effects of its own. O_NONBLOCK covers a file swapped in meanwhile.
    struct stat before {};
    if (::stat(path.c_str(), &before) != 0)
        throw FileError(path, std::strerror(errno));
    if (S_ISDIR(before.st_mode))
        throw FileError(path, "is a folder, not a file");
    if (!S_ISREG(before.st_mode))
        throw FileError(path, "is not a regular file");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        throw FileError(path, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw FileError(path, std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw FileError(path, "is not a regular file");
    }
    const auto size = static_cast<uint64_t>(st.st_size);
    const std::byte *data = nullptr;
    if (size > 0) {
        void *p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            throw FileError(path, std::string("cannot map: ") + std::strerror(err));
        }
        data = static_cast<const std::byte *>(p);
    }
    ::close(fd);
    return std::shared_ptr<const MappedFile>(new MappedFile(path, data, size));
}

MappedFile::~MappedFile()
{
    if (data_)
        ::munmap(const_cast<std::byte *>(data_), size_);
}

void MappedFile::release(std::span<const std::byte> bytes) const
{
    if (!data_ || bytes.empty() || bytes.data() < data_ || bytes.data() + bytes.size() > data_ + size_)
        return;
    // Whole pages only: a neighbour sharing an edge page just faults it back in.
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = reinterpret_cast<uintptr_t>(bytes.data()) & ~(page - 1);
    const auto end = reinterpret_cast<uintptr_t>(bytes.data() + bytes.size());
    ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
}

std::span<const std::byte> MappedFile::slice(uint64_t offset, uint64_t length, const char *what) const
{
    if (offset > size_ || length > size_ - offset)
        throw FileError(path_, std::string(what) + " runs past the end of the file (" +
                                   std::to_string(offset) + " + " + std::to_string(length) +
                                   " > " + std::to_string(size_) + " bytes)");
    return {data_ + offset, static_cast<size_t>(length)};
}

} // namespace sculpt
