#pragma once
#include "job/job.h"

#include <string>

namespace sculpt::cli {

// Progress on stderr: a one-line bar redrawn in place on a terminal; elsewhere silent, so
// logs and pipes stay clean — unless SCULPT_PROGRESS=lines asks for plain lines, one per whole
// percent ("progress 3/12 matrices ETA 5s name"), which a batch job's log and whoever follows
// it (the window, a test) can read.
class ProgressBar {
public:
    explicit ProgressBar(std::string unit);
    void update(const Progress &p);
    void finish(); // clears the line; safe to call twice

private:
    enum class Mode { Silent, Bar, Lines };
    std::string unit_;
    Mode mode_;
    bool drawn_ = false;
    long lastPercent_ = -1;
};

} // namespace sculpt::cli
