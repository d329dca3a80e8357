#pragma once
#include "job/job.h"

#include <string>

namespace sculpt::cli {

// A one-line progress bar on stderr, redrawn in place; silent when stderr is not a
// terminal so logs and pipes stay clean.
class ProgressBar {
public:
    explicit ProgressBar(std::string unit);
    void update(const Progress &p);
    void finish(); // clears the line; safe to call twice

private:
    std::string unit_;
    bool enabled_;
    bool drawn_ = false;
};

} // namespace sculpt::cli
