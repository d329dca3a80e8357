#pragma once
// The job protocol: long work is a plain function that reports progress through a
// callback and polls a cancel flag. The CLI runs it in the foreground; the window runs
// it on a thread pool. Nothing here knows about threads or Qt.

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>

namespace sculpt {

struct Progress {
    long done = 0;
    long total = 0;
    std::string message;
    double secondsLeft = -1; // estimate; negative when there is none yet
};

class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

class JobContext {
public:
    JobContext() = default;
    JobContext(std::function<void(const Progress &)> report, const std::atomic<bool> *cancel)
        : report_(std::move(report)), cancel_(cancel) {}

    bool cancelRequested() const { return cancel_ && cancel_->load(std::memory_order_relaxed); }
    // Throws Cancelled, so deep loops can bail out without threading a flag back up.
    void checkCancelled() const {
        if (cancelRequested())
            throw Cancelled();
    }
    void report(long done, long total, std::string message = {}, double secondsLeft = -1) const {
        if (report_)
            report_(Progress{done, total, std::move(message), secondsLeft});
    }

private:
    std::function<void(const Progress &)> report_;
    const std::atomic<bool> *cancel_ = nullptr;
};

} // namespace sculpt
