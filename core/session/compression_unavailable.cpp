// compression.h for a build without LibTorch (SCULPT_TORCH=OFF): the front ends run, but no pass.

#include "session/compression.h"
#include "session/pass_arguments.h"

#include <stdexcept>

namespace sculpt {
namespace {

[[noreturn]] void cannot()
{
    throw std::runtime_error("this build of Sculpt cannot run models: it was configured with SCULPT_TORCH=OFF");
}

} // namespace

bool canCompress() { return false; }

PreparedPass preparePass(const Checkpoint &, const PassRequest &, const std::function<void(const std::string &)> &)
{
    cannot();
}

PassResult runPrepared(const Checkpoint &, PreparedPass, const std::function<void(const TrainingStep &)> &,
                       const JobContext &, const std::function<void(const std::string &)> &)
{
    cannot();
}

PassResult runCompression(const Checkpoint &, const PassRequest &, const std::function<void(const TrainingStep &)> &,
                          const JobContext &, const std::function<void(const std::string &)> &)
{
    cannot();
}

void exportCompressed(const CompressedModel &, const std::string &, ExportFormat, const std::string &,
                      const JobContext &)
{
    cannot();
}

std::vector<std::string> passArguments(const std::string &, const PassRequest &, const std::string &, ExportFormat)
{
    cannot();
}

} // namespace sculpt
