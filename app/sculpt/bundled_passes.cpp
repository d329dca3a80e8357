#include "bundled_passes.h"

#include "builtin_passes.h"
#include "session/head_scores.h"

#include <mutex>

namespace sculpt {

namespace {
void registerOnce()
{
    static std::once_flag registered;
    std::call_once(registered, registerBuiltinPasses);
}
} // namespace

std::vector<const CompressionPass *> compressionPasses()
{
    registerOnce();
    return passes();
}

std::vector<std::string> bundledHeadScoreStrategies()
{
    registerOnce();
    return headScoreStrategyNames();
}

} // namespace sculpt
