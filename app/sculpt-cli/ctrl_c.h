#pragma once
#include <atomic>

namespace sculpt::cli {

// Makes the first Ctrl-C set the returned flag — the cancel flag a command hands its job,
// which then stops between steps and keeps what it finished — and the second one kill as usual.
const std::atomic<bool> *cancelOnCtrlC();

} // namespace sculpt::cli
