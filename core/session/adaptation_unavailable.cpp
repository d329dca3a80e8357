// adaptation.h for a build without LibTorch (SCULPT_TORCH=OFF): no model to train.

#include "session/adaptation.h"

#include <stdexcept>

namespace sculpt {

std::vector<AdapterKindInfo> adapterKindInfos() { return {}; }
std::string adapterKindNames() { return {}; }

AdaptRun adapt(const Checkpoint &, const AdaptRequest &, const JobContext &,
               const std::function<void(const AdaptationEpoch &)> &)
{
    throw std::runtime_error("this build of Sculpt cannot run models: it was configured with SCULPT_TORCH=OFF");
}

} // namespace sculpt
