#include "foreground_job.h"

#include "commands.h"
#include "io/error.h"
#include "progress_bar.h"
#include "stop_signals.h"

#include <iostream>
#include <stdexcept>

namespace sculpt::cli {

std::optional<int> runInForeground(const std::string &command, const std::string &unit,
                                   const std::atomic<bool> *cancel, const std::function<void(const JobContext &)> &work)
{
    ProgressBar bar(unit);
    const JobContext job([&](const Progress &p) { bar.update(p); }, cancel);
    try {
        work(job);
    } catch (const std::invalid_argument &e) {
        bar.finish();
        std::cerr << "sculpt-cli " << command << ": " << e.what() << "\n";
        return kBadInput;
    } catch (const FileError &e) {
        bar.finish();
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
    } catch (const Cancelled &) {
        bar.finish();
        std::cerr << "sculpt-cli: cancelled\n";
        return stoppedStatus();
    }
    bar.finish();
    return std::nullopt;
}

} // namespace sculpt::cli
