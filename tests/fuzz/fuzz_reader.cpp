// One libFuzzer entry point, compiled once per reader (SCULPT_FUZZ_READER). A reader may
// refuse any input with FileError; anything else — a crash, a sanitizer report, another
// exception type — is a bug.

#include "io/error.h"
#include "io/gguf.h"
#include "io/llama2c.h"
#include "io/pytorch_zip.h"
#include "io/safetensors.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sys/mman.h>
#include <unistd.h>

#define SCULPT_STRINGIFY_(x) #x
#define SCULPT_STRINGIFY(x) SCULPT_STRINGIFY_(x)

namespace {

// Readers take paths: hand them an in-memory file instead of touching the disk.
std::string memoryFile(const uint8_t *data, size_t size, int &fd)
{
    fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0 || write(fd, data, size) != static_cast<ssize_t>(size))
        std::abort();
    return "/proc/self/fd/" + std::to_string(fd);
}

using Reader = std::unique_ptr<sculpt::Checkpoint> (*)(const std::string &);

Reader reader()
{
    const std::string which = SCULPT_STRINGIFY(SCULPT_FUZZ_READER);
    if (which == "safetensors") return sculpt::readSafetensors;
    if (which == "gguf") return sculpt::readGguf;
    if (which == "pytorch_zip") return sculpt::readPytorchZip;
    return sculpt::readLlama2c;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = -1;
    const std::string path = memoryFile(data, size, fd);
    try {
        const auto checkpoint = reader()(path);
        // Converting touches every byte the reader vouched for; keep it cheap.
        for (const auto &t : checkpoint->tensors())
            if (t.elements() <= (1u << 16))
                try {
                    checkpoint->toFloat32(t);
                } catch (const sculpt::FileError &) {
                }
    } catch (const sculpt::FileError &) {
    }
    close(fd);
    return 0;
}
