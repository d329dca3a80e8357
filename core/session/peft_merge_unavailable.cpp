// peft_merge.h for a build without LibTorch (SCULPT_TORCH=OFF): no model to merge into.

#include "session/peft_merge.h"

#include <stdexcept>

namespace sculpt {

PeftMergeResult mergePeftFolder(const PeftMergeRequest &, const JobContext &)
{
    throw std::runtime_error("this build of Sculpt cannot run models: it was configured with SCULPT_TORCH=OFF");
}

} // namespace sculpt
