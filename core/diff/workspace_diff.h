#pragma once
// A diff as both front ends run it: A's workspace keeps it under both sides' weights, so the
// same comparison asked again — on reopening, or from the other front end — is read back
// rather than computed, and a changed side is compared anew.

#include "diff/model_diff.h"

#include <string>

namespace sculpt {

struct WorkspaceDiff {
    DiffRecord record;
    std::string workspace; // where it is kept
    bool reused = false;   // read back, not computed
};

// Compares `a` with `b` under `options`, or reads back what the workspace at `workspacePath`
// (A's; its default path when empty) holds for these weights and options; a new diff is saved
// there. The workspace is checked before any work: a file of another model, or one that cannot
// be written, is a FileError up front. Reports progress; throws Cancelled, saving nothing.
WorkspaceDiff diffInWorkspace(const Checkpoint &a, const Checkpoint &b, const DiffOptions &options,
                              const std::string &workspacePath, const JobContext &job = {},
                              const std::function<void(const TensorDiff &)> &onTensor = {});

} // namespace sculpt
