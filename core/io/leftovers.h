#pragma once
// What an interrupted write leaves behind, and putting it right. Every temporary name Sculpt
// gives a file or folder on its way to `target` says who made it:
//   "<target>.<kind>-<host>-<pid>" (folders: kind "partial", or "old" for the export it replaces)
//   "<target>.tmp-<host>-<pid>-XXXXXX" (files)
// so a later run on the same host can tell leftovers of a process that is gone from work in
// progress — also on a folder several machines share, where only the writer's own host can
// judge whether its pid is alive.

#include <string>

namespace sculpt {

// "<target>.<kind>-<host>-<pid>" for this process.
std::string inProgressName(const std::string &target, const std::string &kind);

// Puts back what a process killed between the two renames of a replace left stranded: when
// `target` is missing and an "old" folder of a dead process holds the previous export, it
// returns under `target`. Then removes every leftover of `target` whose process is gone.
// Leftovers of live processes and of other hosts are not touched. Never throws: what cannot
// be removed now is tried again next time.
void recoverLeftovers(const std::string &target);

} // namespace sculpt
