#pragma once
// The workspace: one HDF5 file per model holding what Sculpt computed about it — spectra,
// metrics, evaluations, compression passes and adaptation runs — keyed by tensor name and
// content hash, so reopening a model reuses them and a changed tensor is recomputed.
//
// Layout (version 2; strings are variable-length UTF-8, NaN is stored as NaN):
//   /                                   attrs format="sculpt-workspace", version=2 (int32; 1 is read too),
//                                             model_fingerprint (hex), model_path
//   /tensors/<tensor>/                  attrs name, content_hash (hex), rows, cols (int64)
//   /tensors/<tensor>/spectra/<method>  float64[k] singular values, descending;
//                                        attrs error_estimate, seconds
//   /tensors/<tensor>/metrics/<method>  attrs: one float64 per metric, int64 for rank_90,
//                                        rank_95, rank_99 and alpha_tail
//   /passes/<id>/…                      a compression pass each: what it was asked, what it
//                                        achieved per layer, its training log (pass_records.h)
//   /evaluations/<id>/…                 one measurement each (see evaluation_records.h)
//   /adaptations/<id>/…                 an adaptation run each (adapt, heads, heat): what it was
//                                        asked, its curve, accuracies, head scores, masked heads,
//                                        costs (adaptation_records.h)
//   /vision_language_runs/<id>/…        a run of the Vision-language view each: images, prompt,
//                                        every model's answers and costs (vision_language_records.h)
//   /diffs/<id>/…                       a comparison with another checkpoint each, under its
//                                        fingerprint: every pair's numbers (diff_records.h)
// <tensor> is the checkpoint name with '/' and '%' percent-escaped (and every '.' of a name
// made only of dots, such as ".."); <method> is "exact" or "top<K>".
// Files record their free space so repeated saves do not grow them; that needs HDF5 1.10
// or later to read.

#include "analysis/spectrum.h"
#include "records/adaptation_record.h"
#include "records/diff_record.h"
#include "records/evaluation.h"
#include "records/pass_record.h"
#include "records/vision_language_run.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sculpt {

// Who the workspace belongs to: the fingerprint hashes every tensor's name, dtype and shape.
struct ModelIdentity {
    std::string path;
    std::string fingerprint; // hex
};

// HDF5 calls are serialised across all workspaces (Debian's HDF5 is not thread-safe); one
// Workspace object is still to be used from one thread at a time.
class Workspace {
public:
    // Reads `path` if it exists; when it does not, the workspace starts empty and save()
    // creates the file. Throws FileError when it is not HDF5, not a Sculpt workspace, from a
    // newer Sculpt, damaged, or belongs to another model (different fingerprint): such a
    // file is never overwritten.
    static Workspace open(const std::string &path, const ModelIdentity &model);

    // Where a model's workspace goes when the user names none:
    // $XDG_DATA_HOME (or ~/.local/share)/sculpt/workspaces/<file name>-<hash of its absolute path>.h5
    static std::string defaultPath(const std::string &modelPath);

    // Who the workspace at `path` belongs to, as the file says: for joining workspaces without
    // the model at hand. Throws FileError when there is no file, or not one this version of
    // Sculpt reads as a workspace.
    static ModelIdentity owner(const std::string &path);

    const std::string &path() const { return path_; }
    const ModelIdentity &model() const { return model_; }
    // Throws FileError when save() could not write the file (its folder cannot be made or
    // written): for refusing before the work whose results it would keep.
    void checkWritable() const;

    // The stored spectrum for this tensor and method, if its content hash still matches.
    std::optional<TensorSpectrum> spectrum(const std::string &tensor, const std::string &method,
                                           const std::string &contentHash) const;
    // Staged until save(). A different content hash drops everything stored for the tensor.
    void putSpectrum(TensorSpectrum spectrum);
    std::vector<std::string> tensors() const; // names with anything stored
    // The methods ("exact", "top64"…) stored for this tensor while its content hash still
    // matches, in name order.
    std::vector<std::string> methods(const std::string &tensor, const std::string &contentHash) const;

    // Every evaluation, saved ones first in the order they were saved, then those staged.
    std::vector<Evaluation> evaluations() const;
    // Staged until save(), which gives it its id.
    void putEvaluation(Evaluation evaluation);

    // Every compression pass, saved ones first in the order they were saved, then those staged.
    std::vector<PassRecord> passes() const;
    // Staged until save(). A record without an id gets one there; one with an id replaces
    // the pass saved under it (as when it is exported later).
    void putPass(PassRecord pass);

    // Every adaptation run, saved ones first in the order they were saved, then those staged.
    std::vector<AdaptationRecord> adaptations() const;
    // Staged until save(), which gives it its id.
    void putAdaptation(AdaptationRecord adaptation);

    // Every Vision-language run, saved ones first in the order they were saved, then those staged.
    std::vector<VisionLanguageRun> visionLanguageRuns() const;
    // Staged until save(), which gives it its id.
    void putVisionLanguageRun(VisionLanguageRun run);

    // Every model diff, saved ones first in the order they were saved, then those staged.
    std::vector<DiffRecord> diffs() const;
    // Staged until save(), which gives it its id.
    void putDiff(DiffRecord diff);

    // Writes atomically: the previous file stays readable until the new one is complete
    // (copy, update the copy, fsync, rename), even if the process is killed meanwhile; what a
    // killed save leaves beside it is removed by the next save. Saves from any number of
    // processes are serialised by "<path>.lock" (file_lock.h), and each applies this object's
    // additions to the file as it is then: spectra, evaluations, passes, adaptation and Vision-language runs
    // that other processes or Workspace objects saved meanwhile are kept, and so are groups
    // this version does not know. Creates missing folders. Throws FileError, leaving the file as it was,
    // when it cannot write or the file is no longer this model's workspace.
    void save();

    // What merge() did with one part.
    struct Merged {
        long added = 0;    // spectra not held for this tensor, method and content hash
        long skipped = 0;  // spectra held already for the same tensor, method and content hash
        long replaced = 0; // tensors held for other content (changed weights): all of it made
                           // way for the part's, as for any new spectrum
        long recordsAdded = 0;   // evaluations, passes, adaptation and Vision-language runs
        long recordsSkipped = 0; // held already: the same kind, finished at the same moment after as long a run
        Merged &operator+=(const Merged &other);
    };
    // Copies what `parts`, workspaces of this same model (a job array's shards, a cluster job's
    // results), hold into this one and saves it, in one save(): what is already held is decided
    // under the save's lock, against the file as it is then, and the parts are taken in order.
    // A record keeps no id across files, so a copy is known by when it finished, how long it
    // ran and what it was: merging a part twice adds nothing the second time, and then the
    // file is not rewritten. Throws FileError, having written nothing and left nothing staged:
    // naming the part when one belongs to another model, or as save() does.
    std::vector<Merged> merge(const std::vector<const Workspace *> &parts);

private:
    using Spectra = std::map<std::string, std::map<std::string, TensorSpectrum>>; // tensor → method → spectrum

    // save(), calling `stage` with what the file holds once the lock is held (a Workspace with
    // nothing staged), before the staged additions are written: for staging more from what is
    // there now. When `stage` returns false and nothing is staged, the file is left as it was.
    void save(const std::function<bool(const Workspace &saved)> &stage);

    // One kind of numbered record (evaluations_, passes_, adaptations_, visionLanguageRuns_, diffs_; workspace.cpp reads and
    // writes each): those saved, in the order they were saved, those staged, and while save()
    // runs a copy of the staged ones that gets their ids in the file before these do.
    template <typename Record> struct Records {
        std::vector<Record> stored, pending, saving;
    };
    // forEachKindMember calls f(&Workspace::evaluations_) and so on, a member pointer for each
    // kind of numbered record (for reaching the same kind in another Workspace); forEachKind
    // calls f(records) with this object's.
    template <typename F> static void forEachKindMember(F &&f);
    template <typename F> void forEachKind(F &&f);
    bool nothingStaged() const;

    std::string path_;
    ModelIdentity model_;
    Spectra stored_;
    Spectra pending_; // not yet saved; one hash per tensor
    Records<Evaluation> evaluations_;
    Records<PassRecord> passes_;
    Records<AdaptationRecord> adaptations_;
    Records<VisionLanguageRun> visionLanguageRuns_;
    Records<DiffRecord> diffs_;
};

} // namespace sculpt
