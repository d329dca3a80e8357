#include "bench_support.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bench {
namespace {

// What the signal handler removes, kept in plain arrays because the handler may only make
// async-signal-safe calls (kill, waitpid, unlink, rmdir), and no allocation.
constexpr int kMaxFiles = 16;
constexpr size_t kMaxPath = 512;
char scratchFolder[kMaxPath];
char scratchFiles[kMaxFiles][kMaxPath];
volatile sig_atomic_t scratchFileCount = 0;
volatile sig_atomic_t runningChild = 0;

void removeScratch()
{
    for (int i = 0; i < scratchFileCount; ++i)
        ::unlink(scratchFiles[i]);
    ::rmdir(scratchFolder);
}

extern "C" void onSignal(int signal)
{
    if (runningChild > 0) {
        ::kill(runningChild, SIGKILL); // else it might write into the folder after we empty it
        ::waitpid(runningChild, nullptr, 0);
    }
    removeScratch();
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

[[noreturn]] void fail(const std::string &what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

std::string tail(const std::string &text, size_t bytes)
{
    return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

// In the child: stdout and stderr to the files, then the program. Never returns.
[[noreturn]] void execute(const std::vector<std::string> &argv, const std::string &stdoutPath,
                          const std::string &stderrPath)
{
    const int out = ::open(stdoutPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(stderrPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(err, STDERR_FILENO) < 0)
        std::_Exit(126);
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::perror(args[0]);
    std::_Exit(127);
}

} // namespace

ScratchDir::ScratchDir()
{
    std::snprintf(scratchFolder, kMaxPath, "/tmp/sculpt-bench-XXXXXX");
    if (!::mkdtemp(scratchFolder))
        fail("cannot create a folder in /tmp");
    path_ = scratchFolder;
    scratchFileCount = 0;
    for (int s : {SIGINT, SIGTERM, SIGHUP})
        std::signal(s, onSignal);
}

ScratchDir::~ScratchDir()
{
    for (int s : {SIGINT, SIGTERM, SIGHUP})
        std::signal(s, SIG_DFL);
    // Outside a signal handler anything goes: also what the code under test left there
    // (the window's workspace, say), which the handler's list cannot know about.
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string ScratchDir::file(const std::string &name)
{
    const std::string full = path_ + "/" + name;
    for (int i = 0; i < scratchFileCount; ++i)
        if (full == scratchFiles[i])
            return full;
    if (scratchFileCount == kMaxFiles || full.size() >= kMaxPath)
        throw std::logic_error("ScratchDir: too many or too long file names");
    std::memcpy(scratchFiles[scratchFileCount], full.c_str(), full.size() + 1);
    scratchFileCount = scratchFileCount + 1; // only now may the handler read the entry
    return full;
}

ChildRun runChild(const std::vector<std::string> &argv, const std::string &stdoutPath, const std::string &stderrPath)
{
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0)
        fail("fork");
    if (pid == 0)
        execute(argv, stdoutPath, stderrPath);
    runningChild = pid;
    int status = 0;
    struct rusage usage {};
    while (::wait4(pid, &status, 0, &usage) < 0)
        if (errno != EINTR)
            fail("wait4");
    runningChild = 0;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(argv[0] + " failed (wait status " + std::to_string(status) + "):\n" +
                                 tail(readFile(stderrPath), 2000));
    return {seconds, static_cast<double>(usage.ru_maxrss) / 1024.0};
}

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string loadAverage()
{
    double load[1] = {-1};
    ::getloadavg(load, 1);
    char text[64];
    std::snprintf(text, sizeof text, "load average %.2f (1 min)", load[0]);
    return text;
}

void writeNpy(const std::string &path, const float *data, int64_t rows, int64_t cols)
{
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                         std::to_string(cols) + "), }";
    // Magic (6) + version (2) + length (2) + dict + '\n' must end on a 64-byte boundary.
    const size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    const uint16_t length = static_cast<uint16_t>(header.size());
    const char lengthBytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};

    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write("\x93NUMPY\x01\x00", 8);
    out.write(lengthBytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(rows * cols * sizeof(float)));
    if (!out.flush())
        fail("cannot write " + path);
}

NumpySvd numpySingularValues(ScratchDir &scratch, const std::string &npyPath, Precision precision)
{
    const std::string valuesPath = scratch.file("numpy-values.f64");
    const std::string outPath = scratch.file("numpy.out"), errPath = scratch.file("numpy.err");
    runChild({SCULPT_SYSTEM_PYTHON, SCULPT_NUMPY_SVD_SCRIPT, precision == Precision::Float32 ? "f32" : "f64", npyPath,
              valuesPath},
             outPath, errPath);
    NumpySvd result{};
    std::istringstream out(readFile(outPath));
    if (!(out >> result.seconds >> result.blasThreads))
        throw std::runtime_error("numpy_svd.py printed no timing: " + readFile(errPath));
    const std::string bytes = readFile(valuesPath);
    result.values.resize(bytes.size() / sizeof(double));
    std::memcpy(result.values.data(), bytes.data(), result.values.size() * sizeof(double));
    ::unlink(valuesPath.c_str());
    return result;
}

double maxRelativeError(const std::vector<double> &values, const std::vector<double> &reference)
{
    if (reference.empty())
        return 0;
    const double cut = 1e-3 * reference.front();
    double worst = 0;
    for (size_t i = 0; i < std::min(values.size(), reference.size()) && reference[i] >= cut; ++i)
        worst = std::max(worst, std::abs(values[i] - reference[i]) / reference[i]);
    return worst;
}

} // namespace bench
