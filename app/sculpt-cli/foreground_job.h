#pragma once
// A long action run in the foreground: a progress bar on stderr, the cancel flag polled,
// and the usual endings turned into a one-line message and an exit code.

#include "job/job.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>

namespace sculpt::cli {

// Runs work(job) with a progress bar counting `unit`. Returns nothing when it finished;
// kBadInput after "sculpt-cli <command>: <why>" when it threw std::invalid_argument (or
// "sculpt-cli: <file>: <why>" for a FileError);
// stoppedStatus() after "sculpt-cli: cancelled" when `cancel` stopped it.
std::optional<int> runInForeground(const std::string &command, const std::string &unit,
                                   const std::atomic<bool> *cancel, const std::function<void(const JobContext &)> &work);

} // namespace sculpt::cli
