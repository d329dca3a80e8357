#include "stop_signals.h"

#include <csignal>

namespace sculpt::cli {
namespace {

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

std::atomic<bool> stopRequested{false};
volatile std::sig_atomic_t stopSignal = 0;

extern "C" void onStopSignal(int signal)
{
    stopSignal = signal;
    stopRequested = true;
    for (const int s : kStopSignals)
        std::signal(s, SIG_DFL);
}

} // namespace

const std::atomic<bool> *cancelOnStopSignals()
{
    for (const int s : kStopSignals)
        std::signal(s, onStopSignal);
    return &stopRequested;
}

int stoppedStatus() { return 128 + (stopSignal ? int(stopSignal) : SIGINT); }

} // namespace sculpt::cli
