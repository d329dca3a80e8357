#pragma once
// What the fuzz harnesses share: handing an input to readers that take paths, and the rule
// that a reader may refuse any input with FileError while anything else — a crash, a
// sanitizer report, another exception type escaping — is a finding (libFuzzer reports an
// uncaught exception as a crash).

#include "io/error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <unistd.h>

#define SCULPT_STRINGIFY_(x) #x
#define SCULPT_STRINGIFY(x) SCULPT_STRINGIFY_(x)

namespace sculpt::fuzz {

// Which target this binary is (SCULPT_FUZZ_TARGET), for `if constexpr`.
inline constexpr std::string_view kTarget = SCULPT_STRINGIFY(SCULPT_FUZZ_TARGET);

// The input as a file in memory, named through /proc/self/fd: nothing touches the disk.
class MemoryFile {
public:
    MemoryFile(const uint8_t *data, size_t size) : fd_(memfd_create("fuzz-input", MFD_CLOEXEC))
    {
        if (fd_ < 0 || (size > 0 && write(fd_, data, size) != static_cast<ssize_t>(size)))
            std::abort();
    }
    ~MemoryFile() { close(fd_); }
    MemoryFile(const MemoryFile &) = delete;
    MemoryFile &operator=(const MemoryFile &) = delete;

    std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

private:
    int fd_;
};

// A folder of this process's own under /tmp, made on first use and removed when the process
// exits normally (a crashed run leaves it for a look).
inline const std::string &scratchFolder()
{
    // A plain array, never destroyed: the exit handler runs after static strings are gone.
    static char name[] = "/tmp/sculpt-fuzz-XXXXXX";
    static const std::string folder = [] {
        if (!mkdtemp(name))
            std::abort();
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(name, ignored);
        });
        return std::string(name);
    }();
    return folder;
}

inline void writeFile(const std::string &path, const void *data, size_t size)
{
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0)
        std::abort();
}
inline void writeFile(const std::string &path, std::string_view text) { writeFile(path, text.data(), text.size()); }

// Runs `read`; its FileError is a refusal, which is fine.
template <typename Read> void refusing(Read &&read)
{
    try {
        read();
    } catch (const FileError &) {
    }
}

// An invariant the reader's result must hold: breaking it is a finding too.
inline void expect(bool holds, const char *what)
{
    if (!holds) {
        std::fprintf(stderr, "sculpt fuzz: invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace sculpt::fuzz
