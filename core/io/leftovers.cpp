#include "io/leftovers.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <optional>
#include <unistd.h>
#include <vector>

namespace sculpt {
namespace {

namespace fs = std::filesystem;

constexpr const char *kKinds[] = {"tmp", "partial", "old"};

std::string hostName()
{
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || !name[0])
        return "localhost";
    return name;
}

struct Leftover {
    fs::path path;
    std::string kind;
    fs::file_time_type written;
};

// The leftover `entry` is, when it is one of `target`'s made on this host by a process
// that no longer runs.
std::optional<Leftover> deadLeftover(const fs::directory_entry &entry, const std::string &targetName,
                                     const std::string &host)
{
    const std::string name = entry.path().filename().string();
    for (const std::string kind : kKinds) {
        const std::string prefix = targetName + "." + kind + "-" + host + "-";
        if (!name.starts_with(prefix))
            continue;
        std::string pid = name.substr(prefix.size());
        if (kind == "tmp") { // a mkstemp suffix follows the pid
            const auto dash = pid.find('-');
            if (dash == std::string::npos)
                continue;
            pid.resize(dash);
        }
        if (pid.empty() || pid.size() > 9 || !std::all_of(pid.begin(), pid.end(), ::isdigit))
            continue;
        const pid_t writer = static_cast<pid_t>(std::stol(pid));
        if (writer == ::getpid() || ::kill(writer, 0) == 0 || errno != ESRCH)
            return std::nullopt; // alive, or not ours to judge
        std::error_code error;
        return Leftover{entry.path(), kind, entry.last_write_time(error)};
    }
    return std::nullopt;
}

} // namespace

std::string inProgressName(const std::string &target, const std::string &kind)
{
    return target + "." + kind + "-" + hostName() + "-" + std::to_string(::getpid());
}

void recoverLeftovers(const std::string &target)
{
    const fs::path path = fs::path(target).lexically_normal();
    const std::string targetName = path.filename().string();
    if (targetName.empty())
        return;
    const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    const std::string host = hostName();
    std::vector<Leftover> dead;
    std::error_code error;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error))
        if (auto leftover = deadLeftover(*it, targetName, host))
            dead.push_back(std::move(*leftover));

    if (!fs::exists(fs::symlink_status(path, error))) {
        // The newest complete previous export goes back; older ones are leftovers too.
        const auto newest = std::max_element(dead.begin(), dead.end(), [](const Leftover &a, const Leftover &b) {
            return (a.kind == "old") < (b.kind == "old") || (a.kind == b.kind && a.written < b.written);
        });
        if (newest != dead.end() && newest->kind == "old") {
            fs::rename(newest->path, path, error);
            if (!error)
                dead.erase(newest);
        }
    }
    for (const Leftover &leftover : dead)
        fs::remove_all(leftover.path, error);
}

} // namespace sculpt
