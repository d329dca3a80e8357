// comparison.h for a build without LibTorch (SCULPT_TORCH=OFF): the window runs, but no model.

#include "session/comparison.h"

#include <stdexcept>

namespace sculpt {
namespace {

[[noreturn]] void cannot()
{
    throw std::runtime_error("this build of Sculpt cannot run models: it was configured with SCULPT_TORCH=OFF");
}

} // namespace

ComparedModels loadCompared(const Checkpoint &, const std::shared_ptr<const CompressedModel> &, const PassRecord &,
                            ComparedModels, const std::function<void(const std::string &)> &)
{
    cannot();
}

std::pair<Evaluation, Evaluation> comparePerplexity(const ComparedModels &, const std::string &, long,
                                                    const JobContext &)
{
    cannot();
}

ImageComparison compareAccuracy(const ComparedModels &, const std::string &, const std::string &, long,
                                const JobContext &)
{
    cannot();
}

std::pair<Continuation, Continuation> compareGeneration(const ComparedModels &, const std::string &,
                                                        const GenerateOptions &, const JobContext &)
{
    cannot();
}

} // namespace sculpt
