#include "bundled_passes.h"

#include "builtin_passes.h"

#include <mutex>

namespace sculpt {

std::vector<const CompressionPass *> compressionPasses()
{
    static std::once_flag registered;
    std::call_once(registered, registerBuiltinPasses);
    return passes();
}

} // namespace sculpt
