// One libFuzzer entry point, compiled once per checkpoint reader (SCULPT_FUZZ_TARGET). A reader
// may refuse any input with FileError; anything else — a crash, a sanitizer report, another
// exception type — is a bug.

#include "fuzz_input.h"
#include "io/gguf.h"
#include "io/llama2c.h"
#include "io/pytorch_zip.h"
#include "io/safetensors.h"

using namespace sculpt;

static_assert(fuzz::kTarget == "safetensors" || fuzz::kTarget == "gguf" || fuzz::kTarget == "pytorch_zip" ||
              fuzz::kTarget == "llama2c");

namespace {

using Reader = std::unique_ptr<Checkpoint> (*)(const std::string &);

constexpr Reader reader()
{
    if constexpr (fuzz::kTarget == "safetensors")
        return readSafetensors;
    else if constexpr (fuzz::kTarget == "gguf")
        return readGguf;
    else if constexpr (fuzz::kTarget == "pytorch_zip")
        return readPytorchZip;
    else
        return readLlama2c;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzz::MemoryFile input(data, size);
    fuzz::refusing([&] {
        const auto checkpoint = reader()(input.path());
        // Converting touches every byte the reader vouched for; keep it cheap.
        for (const auto &t : checkpoint->tensors())
            if (t.elements() <= (1u << 16))
                fuzz::refusing([&] { checkpoint->toFloat32(t); });
    });
    return 0;
}
