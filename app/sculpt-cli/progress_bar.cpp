#include "progress_bar.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace sculpt::cli {
namespace {

std::string duration(double seconds)
{
    const long s = static_cast<long>(seconds + 0.5);
    char out[32];
    if (s >= 3600)
        std::snprintf(out, sizeof out, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    else if (s >= 60)
        std::snprintf(out, sizeof out, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(out, sizeof out, "%lds", s);
    return out;
}

bool linesAsked()
{
    const char *mode = std::getenv("SCULPT_PROGRESS");
    return mode && std::strcmp(mode, "lines") == 0;
}

} // namespace

ProgressBar::ProgressBar(std::string unit)
    : unit_(std::move(unit)), mode_(::isatty(STDERR_FILENO) == 1 ? Mode::Bar : linesAsked() ? Mode::Lines : Mode::Silent)
{
}

void ProgressBar::update(const Progress &p)
{
    if (mode_ == Mode::Silent || p.total <= 0)
        return;
    const std::string eta = p.secondsLeft >= 0 ? "  ETA " + duration(p.secondsLeft) : "";
    if (mode_ == Mode::Lines) {
        // One line per whole percent keeps a 10,000-step pass's log at about a hundred lines.
        const long percent = 100 * p.done / p.total;
        if (percent == lastPercent_)
            return;
        lastPercent_ = percent;
        std::fprintf(stderr, "progress %ld/%ld %s%s  %s\n", p.done, p.total, unit_.c_str(), eta.c_str(), p.message.c_str());
        std::fflush(stderr);
        return;
    }
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * p.done / p.total);
    const std::string bar = std::string(static_cast<size_t>(filled), '=') + std::string(static_cast<size_t>(kWidth - filled), ' ');
    std::fprintf(stderr, "\r\033[K[%s] %ld/%ld %s%s  %.50s", bar.c_str(), p.done, p.total, unit_.c_str(), eta.c_str(),
                 p.message.c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressBar::finish()
{
    if (drawn_)
        std::fprintf(stderr, "\r\033[K");
    drawn_ = false;
}

} // namespace sculpt::cli
