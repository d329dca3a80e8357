#include "ctrl_c.h"

#include <csignal>

namespace sculpt::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void onInterrupt(int)
{
    interrupted = true;
    std::signal(SIGINT, SIG_DFL);
}

} // namespace

const std::atomic<bool> *cancelOnCtrlC()
{
    std::signal(SIGINT, onInterrupt);
    return &interrupted;
}

} // namespace sculpt::cli
