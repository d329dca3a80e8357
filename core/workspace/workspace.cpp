#include "workspace/workspace.h"

#include "io/atomic_file.h"
#include "io/error.h"
#include "io/file_lock.h"
#include "io/writable.h"
#include "workspace/adaptation_records.h"
#include "workspace/diff_records.h"
#include "workspace/vision_language_records.h"
#include "workspace/evaluation_records.h"
#include "workspace/hdf5_object.h"
#include "workspace/pass_records.h"

#include <hdf5.h>
#include <xxhash.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <pwd.h>
#include <stdexcept>
#include <tuple>
#include <unistd.h>
#include <utility>

namespace sculpt {
namespace {

namespace fs = std::filesystem;
using namespace hdf5;

using Spectra = std::map<std::string, std::map<std::string, TensorSpectrum>>; // Workspace::Spectra

constexpr const char *kFormat = "sculpt-workspace";
// 2: passes record their calibration's kind and count, and log named values (pass_records.h).
constexpr int32_t kVersion = 2;

// ---- files ---------------------------------------------------------------------------

Hid fileAccess()
{
    Hid access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot set up file access");
    // Every object is closed before its file; SEMI makes H5Fclose fail, instead of leaving
    // the file open and unflushed behind our back, should one not be.
    check(H5Pset_fclose_degree(access, H5F_CLOSE_SEMI), "cannot set up file access");
    // No file is ever written while another process may read it (save() edits a private
    // copy and renames it), so HDF5's locks add nothing, and they fail on file systems
    // without flock (some NFS homes).
    check(H5Pset_file_locking(access, false, true), "cannot set up file access");
    // HDF5 1.8's object formats keep small groups' links in the group's own header: smaller
    // files that fragment less as save() replaces groups.
    check(H5Pset_libver_bounds(access, H5F_LIBVER_V18, H5F_LIBVER_LATEST), "cannot set up file access");
    return access;
}

Hid openFile(const std::string &path, unsigned flags)
{
    return Hid(H5Fopen(path.c_str(), flags, fileAccess()), H5Fclose, "cannot open");
}

// Every save() opens the file anew and replaces groups: unless the file records its free
// space, HDF5 forgets the space they held at close and the file grows with every save.
Hid createFile(const std::string &path)
{
    Hid creation(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "cannot set up file creation");
    check(H5Pset_file_space_strategy(creation, H5F_FSPACE_STRATEGY_FSM_AGGR, true, 1), "cannot set up file creation");
    return Hid(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, creation, fileAccess()), H5Fclose, "cannot create");
}

// Throws unless `root` is a Sculpt workspace this version can read.
void checkFormat(hid_t root)
{
    if (!hasAttribute(root, "format") || !isStringAttribute(root, "format") || readString(root, "format") != kFormat)
        throw Failure("not a Sculpt workspace; not touching it");
    const int64_t version = readInt(root, "version");
    if (version > kVersion)
        throw Failure("written by a newer Sculpt (workspace version " + std::to_string(version) +
                      "); not touching it");
}

// Throws unless `root` is a Sculpt workspace this version can read, made for `model`.
void checkOwner(hid_t root, const ModelIdentity &model)
{
    checkFormat(root);
    if (readString(root, "model_fingerprint") != model.fingerprint)
        throw Failure("belongs to " + readString(root, "model_path") +
                      ", not this model; choose another --workspace");
}

// An existing file, already checked to be this model's, only gets a changed model path, and
// the version of what is written into it: rewriting the same values would leave holes in the
// root's header on every save.
void writeOwner(hid_t root, const ModelIdentity &model, bool fresh)
{
    if (fresh) {
        writeString(root, "format", kFormat);
        writeString(root, "model_fingerprint", model.fingerprint);
    }
    if (fresh || readInt(root, "version") < kVersion)
        writeAttribute(root, "version", H5T_STD_I32LE, H5T_NATIVE_INT32, &kVersion);
    if (fresh || !hasAttribute(root, "model_path") || readString(root, "model_path") != model.path)
        writeString(root, "model_path", model.path);
}

Hid openHdf5File(const std::string &path, unsigned flags)
{
    const htri_t isHdf5 = H5Fis_hdf5(path.c_str());
    check(isHdf5, "cannot read");
    if (isHdf5 == 0)
        throw Failure("not an HDF5 file; not touching it");
    return openFile(path, flags);
}

// Opens `path` only once it is known to be a workspace of `model`: anything else is left
// exactly as it is.
Hid openWorkspaceFile(const std::string &path, unsigned flags, const ModelIdentity &model)
{
    Hid file = openHdf5File(path, flags);
    checkOwner(openGroup(file, "/"), model);
    return file;
}

// False when there is nothing at `path`; throws FileError for what a workspace cannot be.
bool workspaceFileExists(const std::string &path)
{
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (status.type() == fs::file_type::not_found)
        return false;
    if (error)
        throw FileError(path, error.message());
    if (status.type() == fs::file_type::directory)
        throw FileError(path, "is a folder; a workspace is a file");
    if (status.type() != fs::file_type::regular)
        throw FileError(path, "is not a regular file; a workspace is one");
    return true;
}

// ---- tensors -------------------------------------------------------------------------

template <typename T> struct MetricField {
    const char *attribute;
    T &(*in)(SpectrumMetrics &);
};

constexpr MetricField<double> kRealMetrics[] = {
    {"spectral_norm", [](SpectrumMetrics &m) -> double & { return m.spectralNorm; }},
    {"frobenius_norm", [](SpectrumMetrics &m) -> double & { return m.frobeniusNorm; }},
    {"stable_rank", [](SpectrumMetrics &m) -> double & { return m.stableRank; }},
    {"effective_rank", [](SpectrumMetrics &m) -> double & { return m.effectiveRank; }},
    {"breakeven_rank", [](SpectrumMetrics &m) -> double & { return m.breakevenRank; }},
    {"alpha", [](SpectrumMetrics &m) -> double & { return m.alpha.alpha; }},
    {"alpha_xmin", [](SpectrumMetrics &m) -> double & { return m.alpha.xmin; }},
    {"alpha_ks", [](SpectrumMetrics &m) -> double & { return m.alpha.ks; }},
};

constexpr MetricField<long> kCountMetrics[] = {
    {"rank_90", [](SpectrumMetrics &m) -> long & { return m.rank90; }},
    {"rank_95", [](SpectrumMetrics &m) -> long & { return m.rank95; }},
    {"rank_99", [](SpectrumMetrics &m) -> long & { return m.rank99; }},
    {"alpha_tail", [](SpectrumMetrics &m) -> long & { return m.alpha.tailSize; }},
};

void writeMetrics(hid_t group, SpectrumMetrics metrics)
{
    for (const auto &field : kRealMetrics)
        writeDouble(group, field.attribute, field.in(metrics));
    for (const auto &field : kCountMetrics)
        writeInt(group, field.attribute, field.in(metrics));
}

SpectrumMetrics readMetrics(hid_t group)
{
    SpectrumMetrics metrics;
    for (const auto &field : kRealMetrics)
        field.in(metrics) = readDouble(group, field.attribute);
    for (const auto &field : kCountMetrics)
        field.in(metrics) = static_cast<long>(readInt(group, field.attribute));
    return metrics;
}

void writeSpectrum(hid_t spectra, const TensorSpectrum &spectrum)
{
    const std::string what = childPath(spectra, spectrum.method);
    const hsize_t size = spectrum.singularValues.size();
    Hid space(H5Screate_simple(1, &size, nullptr), H5Sclose, "cannot write " + what);
    Hid data(H5Dcreate2(spectra, spectrum.method.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT),
             H5Dclose, "cannot create " + what);
    if (size > 0) // HDF5 wants a buffer even for nothing
        check(H5Dwrite(data, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, spectrum.singularValues.data()),
              "cannot write " + what);
    writeDouble(data, "error_estimate", spectrum.errorEstimate);
    writeDouble(data, "seconds", spectrum.seconds);
}

void readSpectrum(hid_t data, TensorSpectrum &spectrum)
{
    const std::string what = where(data);
    Hid space(H5Dget_space(data), H5Sclose, "cannot read " + what);
    hsize_t size = 0;
    if (H5Sget_simple_extent_ndims(space) != 1 || H5Sget_simple_extent_dims(space, &size, nullptr) != 1)
        throw Failure(what + " is not a list of singular values");
    spectrum.singularValues.resize(size);
    if (size > 0)
        check(H5Dread(data, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, spectrum.singularValues.data()),
              "cannot read " + what);
    spectrum.errorEstimate = readDouble(data, "error_estimate");
    spectrum.seconds = readDouble(data, "seconds");
}

// Every method stored for one tensor group. A method needs both its spectrum and its
// metrics: since saves are atomic, a missing half means the file was damaged.
std::map<std::string, TensorSpectrum> readTensor(hid_t group)
{
    TensorSpectrum tensor;
    tensor.name = readString(group, "name");
    tensor.contentHash = readString(group, "content_hash");
    tensor.rows = readInt(group, "rows");
    tensor.cols = readInt(group, "cols");
    std::map<std::string, TensorSpectrum> methods;
    if (!linkExists(group, "spectra"))
        return methods;
    Hid spectra = openGroup(group, "spectra");
    Hid metrics = openGroup(group, "metrics");
    for (const std::string &method : childNames(spectra)) {
        TensorSpectrum spectrum = tensor;
        spectrum.method = method;
        readSpectrum(Hid(H5Dopen2(spectra, method.c_str(), H5P_DEFAULT), H5Dclose,
                         "cannot open " + childPath(spectra, method)),
                     spectrum);
        spectrum.metrics = readMetrics(openGroup(metrics, method));
        methods.emplace(method, std::move(spectrum));
    }
    return methods;
}

Spectra readTensors(hid_t file)
{
    Spectra spectra;
    if (!linkExists(file, "tensors"))
        return spectra;
    Hid tensors = openGroup(file, "tensors");
    for (const std::string &link : childNames(tensors)) {
        auto methods = readTensor(openGroup(tensors, link));
        if (!methods.empty()) {
            const std::string name = methods.begin()->second.name;
            spectra[name] = std::move(methods);
        }
    }
    return spectra;
}

bool holdsContent(hid_t tensors, const std::string &link, const std::string &contentHash)
{
    Hid group = openGroup(tensors, link);
    return hasAttribute(group, "content_hash") && readString(group, "content_hash") == contentHash;
}

// Writes one tensor's methods over what the file holds for it. A stored group with another
// content hash describes an older tensor: all of it goes, not just the methods replaced.
void writeTensor(hid_t tensors, const std::map<std::string, TensorSpectrum> &methods)
{
    const TensorSpectrum &tensor = methods.begin()->second;
    const std::string link = escapeName(tensor.name);
    if (linkExists(tensors, link) && !holdsContent(tensors, link, tensor.contentHash))
        removeLink(tensors, link);
    const bool fresh = !linkExists(tensors, link);
    Hid group = fresh ? createGroup(tensors, link) : openGroup(tensors, link);
    if (fresh) { // the same content hash means the same tensor: a kept group's are right
        writeString(group, "name", tensor.name);
        writeString(group, "content_hash", tensor.contentHash);
        writeInt(group, "rows", tensor.rows);
        writeInt(group, "cols", tensor.cols);
    }
    Hid spectra = openOrCreateGroup(group, "spectra");
    Hid metrics = openOrCreateGroup(group, "metrics");
    for (const auto &[method, spectrum] : methods) {
        removeLink(spectra, method);
        removeLink(metrics, method);
        writeSpectrum(spectra, spectrum);
        writeMetrics(createGroup(metrics, method), spectrum.metrics);
    }
}

void writeTensors(hid_t file, const Spectra &spectra)
{
    Hid tensors = openOrCreateGroup(file, "tensors");
    for (const auto &entry : spectra)
        writeTensor(tensors, entry.second);
}

// `upper` laid over `lower` as save() lays staged spectra over stored ones: a tensor `upper`
// holds for other content loses everything `lower` held for it.
void layOver(Spectra &lower, Spectra upper)
{
    for (auto &[name, methods] : upper) {
        if (methods.empty())
            continue;
        auto &held = lower[name];
        if (!held.empty() && held.begin()->second.contentHash != methods.begin()->second.contentHash)
            held.clear();
        for (auto &[method, spectrum] : methods)
            held[method] = std::move(spectrum);
    }
}

// ---- numbered records ----------------------------------------------------------------

// Each kind's reader and writer under one name, so save() and open() treat the kinds alike.
void readRecords(hid_t file, std::vector<Evaluation> &records) { records = readEvaluations(file); }
void readRecords(hid_t file, std::vector<PassRecord> &records) { records = readPasses(file); }
void readRecords(hid_t file, std::vector<AdaptationRecord> &records) { records = readAdaptations(file); }
void writeRecords(hid_t file, std::vector<Evaluation> &records) { writeEvaluations(file, records); }
void writeRecords(hid_t file, std::vector<PassRecord> &records) { writePasses(file, records); }
void writeRecords(hid_t file, std::vector<AdaptationRecord> &records) { writeAdaptations(file, records); }
void readRecords(hid_t file, std::vector<VisionLanguageRun> &records) { records = readVisionLanguageRuns(file); }
void writeRecords(hid_t file, std::vector<VisionLanguageRun> &records) { writeVisionLanguageRuns(file, records); }
void readRecords(hid_t file, std::vector<DiffRecord> &records) { records = readDiffs(file); }
void writeRecords(hid_t file, std::vector<DiffRecord> &records) { writeDiffs(file, records); }

// `records` with `staged` applied in order: one with the id of a record already there replaces
// it in place (a pass exported later), the others follow.
template <typename Record>
std::vector<Record> withStaged(std::vector<Record> records, const std::vector<Record> &staged)
{
    for (const Record &record : staged) {
        const auto same = std::find_if(records.begin(), records.end(), [&](const Record &r) {
            return !record.id.empty() && r.id == record.id;
        });
        if (same != records.end())
            *same = record;
        else
            records.push_back(record);
    }
    return records;
}

// What tells a record copied from another workspace from a new one, ids aside (each file numbers
// its own): what it was, when it finished and how long it ran.
std::tuple<std::string, std::string, double> runKey(const Evaluation &e) { return {e.metric, e.date, e.seconds}; }
std::tuple<std::string, std::string, double> runKey(const PassRecord &p)
{
    return {p.summary.method, p.date, p.summary.seconds};
}
std::tuple<std::string, std::string, double> runKey(const AdaptationRecord &a) { return {a.method, a.date, a.seconds}; }
std::tuple<std::string, std::string, double> runKey(const VisionLanguageRun &v) { return {"", v.date, v.seconds}; }
std::tuple<std::string, std::string, double> runKey(const DiffRecord &d) { return {d.otherFingerprint, d.date, d.seconds}; }

// Debian's HDF5 is built without thread safety: every use of it goes through this lock.
std::mutex &hdf5Lock()
{
    static std::mutex lock;
    return lock;
}

// Errors are reported as FileErrors; HDF5's own printing would spill its stack on stderr.
void silenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::string dataHome()
{
    if (const char *xdg = std::getenv("XDG_DATA_HOME"); xdg && xdg[0] == '/')
        return xdg;
    const char *home = std::getenv("HOME");
    if (!home || !*home) {
        const passwd *user = ::getpwuid(::getuid());
        home = user ? user->pw_dir : "/tmp";
    }
    return std::string(home) + "/.local/share";
}

} // namespace

template <typename F> void Workspace::forEachKindMember(F &&f)
{
    f(&Workspace::evaluations_);
    f(&Workspace::passes_);
    f(&Workspace::adaptations_);
    f(&Workspace::visionLanguageRuns_);
    f(&Workspace::diffs_);
}

template <typename F> void Workspace::forEachKind(F &&f)
{
    forEachKindMember([&](auto kind) { f(this->*kind); });
}

bool Workspace::nothingStaged() const
{
    bool nothing = pending_.empty();
    forEachKindMember([&](auto kind) { nothing = nothing && (this->*kind).saving.empty(); });
    return nothing;
}

Workspace Workspace::open(const std::string &path, const ModelIdentity &model)
{
    Workspace workspace;
    workspace.path_ = path;
    workspace.model_ = model;
    if (!workspaceFileExists(path))
        return workspace;
    try {
        const std::lock_guard lock(hdf5Lock());
        silenceHdf5();
        Hid file = openWorkspaceFile(path, H5F_ACC_RDONLY, model);
        workspace.stored_ = readTensors(file);
        workspace.forEachKind([&](auto &records) { readRecords(file, records.stored); });
        file.close("cannot close");
    } catch (const Failure &failure) {
        throw FileError(path, failure.what());
    }
    return workspace;
}

ModelIdentity Workspace::owner(const std::string &path)
{
    if (!workspaceFileExists(path))
        throw FileError(path, "no such file");
    try {
        const std::lock_guard lock(hdf5Lock());
        silenceHdf5();
        Hid file = openHdf5File(path, H5F_ACC_RDONLY);
        Hid root = openGroup(file, "/");
        checkFormat(root);
        ModelIdentity model{readString(root, "model_path"), readString(root, "model_fingerprint")};
        root.close("cannot close");
        file.close("cannot close");
        return model;
    } catch (const Failure &failure) {
        throw FileError(path, failure.what());
    }
}

void Workspace::checkWritable() const { checkCanCreate(path_); }

std::string Workspace::defaultPath(const std::string &modelPath)
{
    fs::path model = fs::absolute(modelPath).lexically_normal();
    if (!model.has_filename()) // a folder given with a trailing '/'
        model = model.parent_path();
    const std::string absolute = model.string();
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016" PRIx64,
                  static_cast<uint64_t>(XXH3_64bits(absolute.data(), absolute.size())));
    return dataHome() + "/sculpt/workspaces/" + model.filename().string() + "-" + hash + ".h5";
}

std::optional<TensorSpectrum> Workspace::spectrum(const std::string &tensor, const std::string &method,
                                                  const std::string &contentHash) const
{
    // Pending entries come first: one with another hash hides everything stored, which
    // save() will drop.
    for (const Spectra *layer : {&pending_, &stored_}) {
        const auto methods = layer->find(tensor);
        if (methods == layer->end() || methods->second.empty())
            continue;
        if (methods->second.begin()->second.contentHash != contentHash)
            return std::nullopt;
        if (const auto found = methods->second.find(method); found != methods->second.end())
            return found->second;
    }
    return std::nullopt;
}

void Workspace::putSpectrum(TensorSpectrum spectrum)
{
    auto &methods = pending_[spectrum.name];
    if (!methods.empty() && methods.begin()->second.contentHash != spectrum.contentHash)
        methods.clear();
    const std::string method = spectrum.method;
    methods[method] = std::move(spectrum);
}

std::vector<std::string> Workspace::methods(const std::string &tensor, const std::string &contentHash) const
{
    std::vector<std::string> found;
    // As in spectrum(): pending entries under another hash hide everything stored.
    for (const Spectra *layer : {&pending_, &stored_}) {
        const auto methods = layer->find(tensor);
        if (methods == layer->end() || methods->second.empty())
            continue;
        if (methods->second.begin()->second.contentHash != contentHash)
            break;
        for (const auto &entry : methods->second)
            found.push_back(entry.first);
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    return found;
}

std::vector<Evaluation> Workspace::evaluations() const { return withStaged(evaluations_.stored, evaluations_.pending); }

void Workspace::putEvaluation(Evaluation evaluation)
{
    evaluation.id.clear();
    evaluations_.pending.push_back(std::move(evaluation));
}

std::vector<PassRecord> Workspace::passes() const { return withStaged(passes_.stored, passes_.pending); }

void Workspace::putPass(PassRecord pass) { passes_.pending.push_back(std::move(pass)); }

std::vector<AdaptationRecord> Workspace::adaptations() const
{
    return withStaged(adaptations_.stored, adaptations_.pending);
}

void Workspace::putAdaptation(AdaptationRecord adaptation)
{
    adaptation.id.clear();
    adaptations_.pending.push_back(std::move(adaptation));
}

std::vector<VisionLanguageRun> Workspace::visionLanguageRuns() const
{
    return withStaged(visionLanguageRuns_.stored, visionLanguageRuns_.pending);
}

void Workspace::putVisionLanguageRun(VisionLanguageRun run)
{
    run.id.clear();
    visionLanguageRuns_.pending.push_back(std::move(run));
}

std::vector<DiffRecord> Workspace::diffs() const { return withStaged(diffs_.stored, diffs_.pending); }

void Workspace::putDiff(DiffRecord diff)
{
    diff.id.clear();
    diffs_.pending.push_back(std::move(diff));
}

Workspace::Merged &Workspace::Merged::operator+=(const Merged &other)
{
    added += other.added;
    skipped += other.skipped;
    replaced += other.replaced;
    recordsAdded += other.recordsAdded;
    recordsSkipped += other.recordsSkipped;
    return *this;
}

std::vector<std::string> Workspace::tensors() const
{
    std::vector<std::string> names;
    for (const Spectra *layer : {&stored_, &pending_})
        for (const auto &entry : *layer)
            names.push_back(entry.first);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

void Workspace::save() { save({}); }

void Workspace::save(const std::function<bool(const Workspace &saved)> &stage)
{
    // The staged records are written as copies: they get their ids only once the file is in place.
    forEachKind([](auto &records) { records.saving = records.pending; });
    try {
        std::error_code error;
        const fs::path folder = fs::path(path_).parent_path();
        if (!folder.empty())
            fs::create_directories(folder, error);
        if (error)
            throw Failure("cannot create its folder: " + error.message());
        const std::lock_guard lock(hdf5Lock());
        silenceHdf5();
        // Other processes (the window, sculpt-cli, cluster jobs) save the same file: each save
        // copies the file as it is once the lock is held, so none loses another's additions.
        const FileLock processes(path_);
        AtomicFile temp(path_);
        const bool existed = temp.copyTarget();
        Hid file = existed ? openWorkspaceFile(temp.temporaryPath(), H5F_ACC_RDWR, model_)
                           : createFile(temp.temporaryPath());
        writeOwner(openGroup(file, "/"), model_, !existed);
        if (!existed) { // normally nothing, unless the file went away since open()
            writeTensors(file, stored_);
            forEachKind([&](auto &records) { writeRecords(file, records.stored); });
        }
        if (stage) {
            Workspace saved;
            saved.path_ = path_;
            saved.model_ = model_;
            saved.stored_ = existed ? readTensors(file) : stored_;
            saved.forEachKindMember([&](auto kind) {
                if (existed)
                    readRecords(file, (saved.*kind).stored);
                else
                    (saved.*kind).stored = (this->*kind).stored;
            });
            if (!stage(saved) && nothingStaged() && existed)
                return; // the temporary copy goes; the file is as it was
        }
        writeTensors(file, pending_);
        forEachKind([&](auto &records) { writeRecords(file, records.saving); });
        file.close("cannot write");
        temp.commit();
    } catch (const Failure &failure) {
        throw FileError(path_, failure.what());
    }
    layOver(stored_, std::move(pending_));
    pending_.clear();
    forEachKind([](auto &records) {
        records.stored = withStaged(std::move(records.stored), records.saving);
        records.pending.clear();
        records.saving.clear();
    });
}

std::vector<Workspace::Merged> Workspace::merge(const std::vector<const Workspace *> &parts)
{
    for (const Workspace *part : parts)
        if (part->model_.fingerprint != model_.fingerprint)
            throw FileError(part->path_, "made for " + part->model_.path + ", another model than " + path_ +
                                             "'s (other tensor names, dtypes or shapes); nothing merged");
    std::vector<Merged> merged(parts.size());
    const Spectra staged = pending_;
    try {
        // Decided under the save's lock, against the file as it is then: a spectrum or record
        // another process saved meanwhile counts as held.
        save([&](const Workspace &saved) {
            Spectra held = saved.stored_;
            layOver(held, pending_);
            for (size_t p = 0; p < parts.size(); ++p) {
                Spectra offered = parts[p]->stored_;
                layOver(offered, parts[p]->pending_);
                for (const auto &[name, methods] : offered)
                    for (const auto &[method, spectrum] : methods) {
                        auto &here = held[name];
                        const bool sameContent =
                            !here.empty() && here.begin()->second.contentHash == spectrum.contentHash;
                        if (sameContent && here.contains(method)) {
                            ++merged[p].skipped;
                            continue;
                        }
                        if (!here.empty() && !sameContent) {
                            ++merged[p].replaced;
                            here.clear();
                        }
                        ++merged[p].added;
                        here[method] = spectrum;
                        putSpectrum(spectrum);
                    }
                forEachKindMember([&](auto kind) {
                    auto &mine = this->*kind;
                    auto held = withStaged((saved.*kind).stored, mine.saving);
                    for (auto record : withStaged((parts[p]->*kind).stored, (parts[p]->*kind).pending)) {
                        const auto key = runKey(record);
                        if (std::any_of(held.begin(), held.end(), [&](const auto &r) { return runKey(r) == key; })) {
                            ++merged[p].recordsSkipped;
                            continue;
                        }
                        record.id.clear(); // numbered anew here; the part's number would replace another record
                        held.push_back(record);
                        mine.saving.push_back(std::move(record));
                        ++merged[p].recordsAdded;
                    }
                });
            }
            return std::any_of(merged.begin(), merged.end(), [](const Merged &m) { return m.added + m.recordsAdded > 0; });
        });
    } catch (...) {
        pending_ = staged; // all or nothing: what failed to save is not left staged
        throw;
    }
    return merged;
}

} // namespace sculpt
