// vision_language.h for a build without LibTorch (SCULPT_TORCH=OFF): the window runs, but no model.

#include "session/vision_language.h"

#include <stdexcept>

namespace sculpt {
namespace {

[[noreturn]] void cannot()
{
    throw std::runtime_error("this build of Sculpt cannot run models: it was configured with SCULPT_TORCH=OFF");
}

} // namespace

std::vector<VisionLanguageModel> loadVisionLanguageModels(const std::vector<VisionLanguageSource> &, const JobContext &,
                                                          const std::function<void(const std::string &)> &)
{
    cannot();
}

VisionLanguageRun runVisionLanguage(const std::vector<VisionLanguageModel> &, const std::vector<VisionLanguageImage> &,
                                    const std::string &, long, const JobContext &, const VisionLanguageProgress &)
{
    cannot();
}

} // namespace sculpt
