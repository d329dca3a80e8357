#pragma once
#include <atomic>

namespace sculpt::cli {

// Makes the first SIGINT (Ctrl-C), SIGTERM (what a cluster or `kill` sends) or SIGHUP (a
// closing terminal) set the returned flag — the cancel flag a command hands its job, which
// then stops between steps and keeps what it finished — and a second one end the process as
// that signal does.
const std::atomic<bool> *cancelOnStopSignals();

// The exit status a stopped command ends with: 128 + the signal, as shells report it (130
// for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP); 130 when no signal came (a cancel of its own).
int stoppedStatus();

} // namespace sculpt::cli
