#include "cluster/slurm_client.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sstream>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace sculpt {
namespace {

constexpr int kClientSeconds = 30;

std::string firstLine(const std::string &text)
{
    const size_t start = text.find_first_not_of(" \n");
    if (start == std::string::npos)
        return "";
    return text.substr(start, text.find('\n', start) - start);
}

// Pipes closed in this process when it leaves scope.
struct Pipe {
    int fd[2] = {-1, -1};
    Pipe()
    {
        if (::pipe2(fd, O_CLOEXEC) != 0)
            throw SlurmError(std::string("cannot make a pipe: ") + std::strerror(errno));
    }
    ~Pipe()
    {
        for (const int f : fd)
            if (f >= 0)
                ::close(f);
    }
    void closeEnd(int end)
    {
        ::close(fd[end]);
        fd[end] = -1;
    }
};

bool onPath(const std::string &program)
{
    const char *path = std::getenv("PATH");
    std::istringstream folders(path ? path : "");
    for (std::string folder; std::getline(folders, folder, ':');)
        if (!folder.empty() && ::access((folder + "/" + program).c_str(), X_OK) == 0)
            return true;
    return false;
}

// A client that ran but failed: Slurm down or unreachable, or what it says it refused.
[[noreturn]] void refused(const std::string &what, const CommandResult &run)
{
    const std::string said = firstLine(run.err.empty() ? run.out : run.err);
    throw SlurmError(what + ": " + (said.empty() ? "no answer (exit status " + std::to_string(run.status) + ")" : said));
}

} // namespace

CommandResult runCommand(const std::vector<std::string> &argv, int timeoutSeconds)
{
    if (!onPath(argv[0]))
        throw SlurmError("Slurm is not installed here: no " + argv[0] + " on PATH");
    Pipe out, err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out.fd[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.fd[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    std::vector<char *> args;
    for (const std::string &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        throw SlurmError("cannot run " + argv[0] + ": " + std::strerror(spawned));
    out.closeEnd(1);
    err.closeEnd(1);

    CommandResult result;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
    pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
    std::string *texts[2] = {&result.out, &result.err};
    int open = 2;
    bool late = false;
    while (open > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            late = true;
            break;
        }
        if (::poll(fds, 2, int(left.count())) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            char buffer[4096];
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0)
                texts[i]->append(buffer, size_t(n));
            else if (n == 0 || errno != EINTR) {
                fds[i].fd = -1; // poll ignores it; Pipe closes it
                --open;
            }
        }
    }
    if (late)
        ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.status = !late && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (late)
        result.err = argv[0] + " did not answer within " + std::to_string(timeoutSeconds) + " s";
    return result;
}

void requireSlurm()
{
    for (const char *client : {"sbatch", "squeue", "scancel"})
        if (!onPath(client))
            throw SlurmError(std::string("Slurm is not installed here: no ") + client + " on PATH");
}

std::string submitBatch(const std::string &script, const std::vector<std::string> &options)
{
    std::vector<std::string> argv = {"sbatch", "--parsable"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(script);
    const CommandResult run = runCommand(argv, kClientSeconds);
    if (run.status != 0)
        refused("sbatch did not take the job", run);
    // --parsable prints "ID" or "ID;CLUSTER".
    const std::string id = firstLine(run.out).substr(0, firstLine(run.out).find(';'));
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
        throw SlurmError("sbatch answered no job id: '" + firstLine(run.out) + "'");
    return id;
}

std::optional<std::map<int, std::string>> arrayTaskStates(const std::string &jobId)
{
    // -t all: ended tasks too, for as long as slurmctld keeps them (MinJobAge); -r: one line
    // a task, pending ones included.
    const CommandResult run = runCommand({"squeue", "-h", "-r", "-t", "all", "-j", jobId, "-o", "%K %T"}, kClientSeconds);
    if (run.status != 0) {
        if (run.err.find("Invalid job id") != std::string::npos)
            return std::nullopt;
        refused("Slurm is not reachable (squeue)", run);
    }
    std::map<int, std::string> states;
    std::istringstream lines(run.out);
    for (std::string index, state; lines >> index >> state;)
        if (index.find_first_not_of("0123456789") == std::string::npos)
            states[std::stoi(index)] = state;
    if (states.empty())
        return std::nullopt;
    return states;
}

void cancelJob(const std::string &jobId)
{
    const CommandResult run = runCommand({"scancel", jobId}, kClientSeconds);
    if (run.status != 0)
        refused("scancel failed", run);
}

} // namespace sculpt
