#pragma once
// Threads that work through one algorithm together, meeting at a barrier between phases.
// The spectra run their own threads with OpenBLAS on one: OpenBLAS's idle workers spin
// for about 0.1 s after every threaded call and, under the kernel's fair scheduler, take
// a core's share from whatever runs next (README, "Spectra").

#include <atomic>
#include <barrier>
#include <functional>
#include <optional>

namespace sculpt {

class TeamMember {
public:
    int rank() const { return rank_; }
    int size() const { return shared_.size; }
    void sync() { shared_.barrier->arrive_and_wait(); }
    // Calls work(i) once for every i in [0, count), each on whichever member asks first
    // (a member the machine delays costs a chunk, not a share), then syncs. Every member
    // calls it with the same count; results must not depend on who did a chunk.
    void share(int count, const std::function<void(int)> &work);
    // Whether rank 0 saw `flag` set at this point; the same answer on every member.
    bool agree(bool flag);

private:
    friend void runTeam(int, const std::function<void(TeamMember &)> &);
    struct Shared {
        int size = 1;
        std::optional<std::barrier<>> barrier;
        std::atomic<int> next[2]{};
        bool flag = false;
    };
    TeamMember(Shared &shared, int rank) : shared_(shared), rank_(rank) {}
    Shared &shared_;
    int rank_;
    int phase_ = 0;
};

// Runs work on up to `threads` threads, rank 0 being the caller's; fewer when the system
// refuses more. `work` must not throw: a member that left would hold the others at the
// barrier (it terminates instead).
void runTeam(int threads, const std::function<void(TeamMember &)> &work);

} // namespace sculpt
