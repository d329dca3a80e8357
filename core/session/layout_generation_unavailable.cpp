// layout_generation.h for a build without LibTorch (SCULPT_TORCH=OFF): the window runs, but no model.

#include "session/layout_generation.h"

#include <stdexcept>

namespace sculpt {
namespace {

[[noreturn]] void cannot()
{
    throw std::runtime_error("this build of Sculpt cannot run models: it was configured with SCULPT_TORCH=OFF");
}

} // namespace

LoadedLayoutModel loadLayoutModel(const LayoutModelSource &, const JobContext &) { cannot(); }

std::vector<GeneratedLayout> generateLayouts(const LoadedLayoutModel &, const LayoutGenerationRequest &, const JobContext &,
                                             const std::function<void(const GeneratedLayout &)> &)
{
    cannot();
}

} // namespace sculpt
