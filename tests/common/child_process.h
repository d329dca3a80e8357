#pragma once
// Runs a piece of a test in a forked child, for what must not happen in the test process
// itself: a read that could hang, or one whose peak memory is the point.

#include <QtTest>

#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sculpt::test {

struct ChildResult {
    bool finished = false;  // false: still running at the time limit (then killed)
    std::string message;    // what the work returned (an error text, say)
    long peakKb = 0;        // the child's peak resident memory beyond what it started with
};

inline long residentKb()
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    return 0;
}

inline ChildResult runInChild(const std::function<std::string()> &work, int timeoutSeconds = 30)
{
    int pipeFds[2];
    if (::pipe(pipeFds) != 0)
        return {};
    // Forked pages already resident count in the child's peak as well.
    const long startKb = residentKb();
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(pipeFds[0]);
        const std::string message = work();
        const ssize_t written = ::write(pipeFds[1], message.data(), message.size());
        ::_exit(written == ssize_t(message.size()) ? 0 : 1);
    }
    ::close(pipeFds[1]);
    ChildResult result;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
    int status = 0;
    rusage usage{};
    while (::wait4(child, &status, WNOHANG, &usage) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(child, SIGKILL);
            ::wait4(child, &status, 0, &usage);
            ::close(pipeFds[0]);
            return result;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    result.finished = true;
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof buffer)) > 0;)
        result.message.append(buffer, size_t(n));
    ::close(pipeFds[0]);
    result.peakKb = usage.ru_maxrss - startKb;
    return result;
}

} // namespace sculpt::test
