#include "analysis/team.h"

#include <system_error>
#include <thread>
#include <vector>

namespace sculpt {

void TeamMember::share(int count, const std::function<void(int)> &work)
{
    std::atomic<int> &next = shared_.next[phase_ % 2];
    // The other counter served the previous phase, which every member has left, and
    // serves the next one only after the barrier below.
    if (rank_ == 0)
        shared_.next[(phase_ + 1) % 2].store(0, std::memory_order_relaxed);
    ++phase_;
    for (int i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;)
        work(i);
    sync();
}

bool TeamMember::agree(bool flag)
{
    if (rank_ == 0)
        shared_.flag = flag;
    sync();
    const bool agreed = shared_.flag;
    sync(); // nobody may overwrite it before everyone has read it
    return agreed;
}

void runTeam(int threads, const std::function<void(TeamMember &)> &work)
{
    TeamMember::Shared shared;
    std::atomic<bool> start{false};
    const auto member = [&](int rank) noexcept {
        start.wait(false, std::memory_order_acquire);
        TeamMember self(shared, rank);
        work(self);
    };
    std::vector<std::thread> helpers;
    for (int rank = 1; rank < threads; ++rank) {
        try {
            helpers.emplace_back(member, rank);
        } catch (const std::system_error &) {
            break;
        }
    }
    // The team's size is known only now, and the barrier must count exactly its members.
    shared.size = int(helpers.size()) + 1;
    shared.barrier.emplace(shared.size);
    start.store(true, std::memory_order_release);
    start.notify_all();
    member(0);
    for (auto &helper : helpers)
        helper.join();
}

} // namespace sculpt
