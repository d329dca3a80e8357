#include "diff/workspace_diff.h"

#include "analysis/content_hash.h"
#include "io/checkpoint.h"
#include "io/utc_now.h"
#include "session/weights_hash.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <chrono>

namespace sculpt {
namespace {

bool sameOptions(const DiffOptions &x, const DiffOptions &y)
{
    return x.topK == y.topK && x.subspaceK == y.subspaceK && x.spectra == y.spectra;
}

} // namespace

WorkspaceDiff diffInWorkspace(const Checkpoint &a, const Checkpoint &b, const DiffOptions &options,
                              const std::string &workspacePath, const JobContext &job,
                              const std::function<void(const TensorDiff &)> &onTensor)
{
    const std::string path = workspacePath.empty() ? Workspace::defaultPath(a.path()) : workspacePath;
    Workspace workspace = Workspace::open(path, {a.path(), modelFingerprint(a)});
    workspace.checkWritable();
    planDiff(a, b); // two models that cannot be compared are told before their weights are read
    const auto started = std::chrono::steady_clock::now();
    DiffRecord record;
    record.otherPath = b.path();
    record.otherFingerprint = modelFingerprint(b);
    record.options = options;
    // Hashing both sides up front is a pass over both files, worth it only when a stored diff
    // could be this one: same options, and B of the same names and shapes (A's are the
    // workspace's own). Otherwise the diff hashes what it reads, and the rest is hashed after.
    const std::vector<DiffRecord> stored = workspace.diffs();
    const auto candidate = [&](const DiffRecord &r) {
        return r.algorithm == kDiffAlgorithm && r.otherFingerprint == record.otherFingerprint && sameOptions(r.options, options);
    };
    if (std::any_of(stored.begin(), stored.end(), candidate)) {
        record.weightsA = weightsHash(a, job);
        record.weightsB = weightsHash(b, job);
        for (auto it = stored.rbegin(); it != stored.rend(); ++it)
            if (candidate(*it) && it->weightsA == record.weightsA && it->weightsB == record.weightsB)
                return {*it, path, true};
        record.diff = diffModels(a, b, options, job, onTensor);
    } else {
        ReadHashes read;
        record.diff = diffModels(a, b, options, job, onTensor, &read);
        record.weightsA = weightsHash(a, job, read.a);
        record.weightsB = weightsHash(b, job, read.b);
    }
    record.date = utcNow();
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    workspace.putDiff(record);
    workspace.save();
    record.id = workspace.diffs().back().id;
    return {record, path, false};
}

} // namespace sculpt
