#include "bundled_passes.h"

#include "builtin_passes.h"
#include "session/adapter_pruning.h"
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

std::vector<AdapterKindInfo> bundledAdapterKinds()
{
    registerOnce();
    return adapterKindInfos();
}

std::vector<std::pair<std::string, std::vector<std::string>>> bundledAdapterPrunings()
{
    registerOnce();
    std::vector<std::pair<std::string, std::vector<std::string>>> all;
    for (const std::string &name : adapterPruningNames())
        all.emplace_back(name, shareRulesOf(name));
    return all;
}

} // namespace sculpt
