// Workspace: round trips, content-hash invalidation, listing a tensor's methods,
// evaluations, refusing files that are not ours, keeping groups other code wrote, surviving
// a kill in the middle of save(), where workspaces go by default, reading a file's owner, and
// merging other workspaces' spectra into one.

#include "io/error.h"
#include "workspace/workspace.h"

#include <hdf5.h>
#include <xxhash.h>

#include <QDir>
#include <QFile>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <spawn.h>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace sculpt;

namespace {

// Run with this flag, the test binary becomes the child killDuringSave() kills.
const char *const kSaveForeverFlag = "--save-forever";

const std::string kModelPath = "/models/llama/model.safetensors";

ModelIdentity identity(const std::string &fingerprint = "f1a9e0c3")
{
    return {kModelPath, fingerprint};
}

QString q(const std::string &text) { return QString::fromStdString(text); }

QByteArray contents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A spectrum whose every number follows from `seed`, so a reader can tell whether what
// it got back is complete. Partial ("top…") spectra carry the NaN and -1 a preview has.
TensorSpectrum makeSpectrum(const std::string &name, const std::string &hash, const std::string &method,
                            size_t size, double seed)
{
    const bool exact = method == "exact";
    TensorSpectrum s;
    s.name = name;
    s.contentHash = hash;
    s.rows = 4096;
    s.cols = 11008;
    s.method = method;
    for (size_t i = 0; i < size; ++i)
        s.singularValues.push_back(seed * std::pow(0.995, double(i)) + 1e-9 / (1.0 + double(i)));
    s.errorEstimate = exact ? 0 : seed * 1e-3;
    s.seconds = 0.1 * seed;
    s.metrics.spectralNorm = seed;
    s.metrics.frobeniusNorm = seed * std::sqrt(2.0);
    s.metrics.stableRank = 2.0 / 3.0;
    s.metrics.effectiveRank = exact ? seed / 7 : std::numeric_limits<double>::quiet_NaN();
    s.metrics.rank90 = 17;
    s.metrics.rank95 = exact ? 31 : -1;
    s.metrics.rank99 = -1;
    s.metrics.breakevenRank = 4096.0 * 11008 / (4096 + 11008);
    s.metrics.alpha = {2.0 + 1 / seed, seed * 1e-4, 0.0625, 123};
    return s;
}

bool same(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

// What differs between two spectra, bit for bit (NaN equals NaN); empty when nothing does.
QString difference(const TensorSpectrum &a, const TensorSpectrum &b)
{
    const SpectrumMetrics &m = a.metrics, &n = b.metrics;
    const std::pair<const char *, bool> checks[] = {
        {"name", a.name == b.name},
        {"content hash", a.contentHash == b.contentHash},
        {"shape", a.rows == b.rows && a.cols == b.cols},
        {"method", a.method == b.method},
        {"singular values", std::equal(a.singularValues.begin(), a.singularValues.end(),
                                       b.singularValues.begin(), b.singularValues.end(), same)},
        {"error estimate", same(a.errorEstimate, b.errorEstimate)},
        {"seconds", same(a.seconds, b.seconds)},
        {"spectral norm", same(m.spectralNorm, n.spectralNorm)},
        {"Frobenius norm", same(m.frobeniusNorm, n.frobeniusNorm)},
        {"stable rank", same(m.stableRank, n.stableRank)},
        {"effective rank", same(m.effectiveRank, n.effectiveRank)},
        {"energy ranks", m.rank90 == n.rank90 && m.rank95 == n.rank95 && m.rank99 == n.rank99},
        {"breakeven rank", same(m.breakevenRank, n.breakevenRank)},
        {"power law", same(m.alpha.alpha, n.alpha.alpha) && same(m.alpha.xmin, n.alpha.xmin) &&
                          same(m.alpha.ks, n.alpha.ks) && m.alpha.tailSize == n.alpha.tailSize},
    };
    QStringList wrong;
    for (const auto &[what, equal] : checks)
        if (!equal)
            wrong << what;
    if (wrong.isEmpty())
        return {};
    return QStringLiteral("%1 %2: %3 differ").arg(q(b.name), q(b.method), wrong.join(QStringLiteral(", ")));
}

// An evaluation whose every field follows from `seed`.
Evaluation makeEvaluation(double seed)
{
    Evaluation e;
    e.metric = seed > 2 ? "accuracy" : "perplexity";
    e.value = seed * 1.25;
    e.counted = seed > 2 ? "images" : "tokens";
    e.count = int64_t(seed * 1000);
    e.data = {{"images", "/data/t10k-images-idx3-ubyte.gz", 1648877, "0123456789abcdef"},
              {"labels", "/data/t10k-labels%/idx1", int64_t(seed), "fedcba9876543210"}};
    e.settings = {{"limit", std::to_string(int(seed * 10))}, {"config", ""}};
    e.details = {{"correct", seed * 100}, {"nan", std::numeric_limits<double>::quiet_NaN()}};
    e.modelHash = "abcdef0123456789";
    e.date = "2025-01-31T17:04:05Z";
    e.seconds = seed / 3;
    return e;
}

// What differs between two evaluations, ids included; empty when nothing does.
QString difference(const Evaluation &a, const Evaluation &b)
{
    const auto sameData = [](const DataFile &x, const DataFile &y) {
        return x.role == y.role && x.path == y.path && x.bytes == y.bytes && x.contentHash == y.contentHash;
    };
    const auto sameDetails = [](const std::map<std::string, double> &x, const std::map<std::string, double> &y) {
        return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                          [](const auto &p, const auto &r) { return p.first == r.first && same(p.second, r.second); });
    };
    const std::pair<const char *, bool> checks[] = {
        {"id", a.id == b.id},
        {"metric", a.metric == b.metric},
        {"value", same(a.value, b.value)},
        {"count", a.counted == b.counted && a.count == b.count},
        {"data", std::equal(a.data.begin(), a.data.end(), b.data.begin(), b.data.end(), sameData)},
        {"settings", a.settings == b.settings},
        {"details", sameDetails(a.details, b.details)},
        {"model hash", a.modelHash == b.modelHash},
        {"date", a.date == b.date},
        {"seconds", same(a.seconds, b.seconds)},
    };
    QStringList wrong;
    for (const auto &[what, equal] : checks)
        if (!equal)
            wrong << what;
    return wrong.join(QStringLiteral(", "));
}

// Checks that `workspace` holds exactly `expected` for its tensor, method and hash.
#define COMPARE_STORED(workspace, expected)                                                          \
    do {                                                                                             \
        const TensorSpectrum &want = (expected);                                                     \
        const auto got = (workspace).spectrum(want.name, want.method, want.contentHash);             \
        QVERIFY2(got, qPrintable(q(want.name + " " + want.method + " is missing")));                 \
        const QString diff = difference(*got, want);                                                 \
        QVERIFY2(diff.isEmpty(), qPrintable(diff));                                                  \
    } while (false)

// The message of the FileError open() throws, or an empty string when it opens.
QString openError(const QString &path, const ModelIdentity &model)
{
    try {
        Workspace::open(path.toStdString(), model);
    } catch (const FileError &error) {
        return q(error.what());
    }
    return {};
}

int mode(const QString &path)
{
    struct stat status;
    return ::stat(path.toUtf8().constData(), &status) == 0 ? int(status.st_mode & 07777) : -1;
}

QStringList temporaries(const QString &folder)
{
    return QDir(folder).entryList({QStringLiteral("*.tmp-*")}, QDir::Files | QDir::Hidden);
}

// ---- direct HDF5, for what the Workspace API cannot do -----------------------------------

// Closes one HDF5 identifier at the end of its scope.
struct H5 {
    hid_t id;
    herr_t (*close)(hid_t);
    H5(hid_t id, herr_t (*close)(hid_t)) : id(id), close(close) {}
    H5(const H5 &) = delete;
    H5 &operator=(const H5 &) = delete;
    ~H5()
    {
        if (id >= 0)
            close(id);
    }
    operator hid_t() const { return id; }
};

bool writeDoubleAttribute(hid_t object, const char *name, double value)
{
    const H5 space(H5Screate(H5S_SCALAR), H5Sclose);
    const H5 attribute(H5Acreate2(object, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    return attribute >= 0 && H5Awrite(attribute, H5T_NATIVE_DOUBLE, &value) >= 0;
}

// What later Sculpt code (passes) would add: /passes/p1 with an attribute.
bool addPass(const QString &path)
{
    const H5 file(H5Fopen(path.toUtf8().constData(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
    const H5 passes(H5Gcreate2(file, "passes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    const H5 pass(H5Gcreate2(passes, "p1", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    return pass >= 0 && writeDoubleAttribute(pass, "ratio", 0.5);
}

// /passes/p1's ratio, or NaN when it is gone.
double passRatio(const QString &path)
{
    const H5 file(H5Fopen(path.toUtf8().constData(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    const H5 attribute(H5Aopen_by_name(file, "passes/p1", "ratio", H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    double ratio = std::numeric_limits<double>::quiet_NaN();
    if (attribute >= 0)
        H5Aread(attribute, H5T_NATIVE_DOUBLE, &ratio);
    return ratio;
}

// Whether every link of `objectPath` ("tensors/x/spectra/exact") exists.
bool exists(const QString &path, const QString &objectPath)
{
    const H5 file(H5Fopen(path.toUtf8().constData(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    QString prefix;
    for (const QString &link : objectPath.split(QLatin1Char('/'))) {
        prefix += (prefix.isEmpty() ? QString() : QStringLiteral("/")) + link;
        if (H5Lexists(file, prefix.toUtf8().constData(), H5P_DEFAULT) <= 0)
            return false;
    }
    return true;
}

// A string attribute of `object` ("." for the root), or an empty string when it is missing.
QString stringAttribute(const QString &path, const QString &object, const char *name)
{
    const H5 file(H5Fopen(path.toUtf8().constData(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    const H5 attribute(H5Aopen_by_name(file, object.toUtf8().constData(), name, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const H5 type(H5Aget_type(attribute), H5Tclose);
    char *text = nullptr;
    if (H5Tis_variable_str(type) <= 0 || H5Aread(attribute, type, &text) < 0)
        return {};
    const QString value = QString::fromUtf8(text);
    H5free_memory(text);
    return value;
}

int64_t rootInt(const QString &path, const char *name)
{
    const H5 file(H5Fopen(path.toUtf8().constData(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    const H5 attribute(H5Aopen(file, name, H5P_DEFAULT), H5Aclose);
    int64_t value = -1;
    H5Aread(attribute, H5T_NATIVE_INT64, &value);
    return value;
}

bool setVersion(const QString &path, int version)
{
    const H5 file(H5Fopen(path.toUtf8().constData(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
    const H5 attribute(H5Aopen(file, "version", H5P_DEFAULT), H5Aclose);
    return H5Awrite(attribute, H5T_NATIVE_INT, &version) >= 0;
}

bool createPlainHdf5(const QString &path)
{
    const H5 file(H5Fcreate(path.toUtf8().constData(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    const H5 group(H5Gcreate2(file, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    return group >= 0 && writeDoubleAttribute(group, "answer", 42);
}

// ---- the child killDuringSave() kills --------------------------------------------------

constexpr int kChildTensors = 16;
constexpr size_t kChildValues = 4096;

std::string childTensor(int t) { return "model.layers." + std::to_string(t) + ".mlp.weight"; }

// Round r of the child stores every tensor with hash "r<r>", so a reader can rebuild
// what a complete save of that round holds.
TensorSpectrum childSpectrum(int t, int round)
{
    return makeSpectrum(childTensor(t), "r" + std::to_string(round), "exact", kChildValues, 1 + 100.0 * round + t);
}

// Saves new spectra for every tensor, round after round, until killed.
int saveForever(const char *path)
{
    try {
        Workspace workspace = Workspace::open(path, identity());
        for (int round = 0;; ++round) {
            for (int t = 0; t < kChildTensors; ++t)
                workspace.putSpectrum(childSpectrum(t, round));
            workspace.save();
        }
    } catch (const FileError &error) {
        std::fprintf(stderr, "%s\n", error.what());
        return 2;
    }
}

// Kills and reaps the child; false when it had ended before (a save failed).
bool killChild(pid_t child)
{
    const bool running = ::waitpid(child, nullptr, WNOHANG) == 0;
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return running;
}

// Empty when the child's tensors hold one whole round, or none is stored yet: each save
// must be all or nothing.
QString childRoundProblem(const Workspace &workspace, const QString &path)
{
    const QString hash = stringAttribute(path, QStringLiteral("tensors/") + q(childTensor(0)), "content_hash");
    if (hash.isEmpty()) {
        for (const std::string &name : workspace.tensors())
            if (name.starts_with("model.layers."))
                return QStringLiteral("%1 is stored without %2").arg(q(name), q(childTensor(0)));
        return {};
    }
    const int round = hash.mid(1).toInt();
    for (int t = 0; t < kChildTensors; ++t) {
        const TensorSpectrum want = childSpectrum(t, round);
        const auto got = workspace.spectrum(want.name, want.method, want.contentHash);
        if (!got)
            return QStringLiteral("%1 lacks round %2").arg(q(want.name)).arg(round);
        if (const QString diff = difference(*got, want); !diff.isEmpty())
            return diff;
    }
    return {};
}

pid_t spawnSaveForever(const QString &workspace)
{
    std::string path = workspace.toStdString();
    std::string self = "test_workspace", flag = kSaveForeverFlag;
    char *argv[] = {self.data(), flag.data(), path.data(), nullptr};
    pid_t pid = -1;
    return posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv, environ) == 0 ? pid : -1;
}

} // namespace

class TestWorkspace : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void layoutOnDisk();
    void changedContentHash();
    void methodsOfATensor();
    void evaluationsRoundTrip();
    void evaluationsOfConcurrentSavesAreKept();
    void otherModelIsRefused();
    void notHdf5IsRefused();
    void foreignHdf5IsRefused();
    void newerVersionIsRefused();
    void damagedFileIsAnError();
    void saveRefusesFileReplacedMeanwhile();
    void unknownGroupsSurvive();
    void killDuringSave();
    void defaultPath();
    void saveCreatesFolders();
    void saveKeepsPermissions();
    void ownerIsWhatTheFileSays();
    void mergeCopiesWhatIsNotHeld();
    void mergeDecidesAgainstTheFileAsItIsThen();
    void mergeRefusesAnotherModelsPart();
};

void TestWorkspace::roundTrip()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    const std::vector<TensorSpectrum> spectra = {
        makeSpectrum("model.layers.0/attn%q.weight", "aa01", "exact", 300, 3.5),
        makeSpectrum("model.layers.0/attn%q.weight", "aa01", "top64", 64, 3.5),
        makeSpectrum("lm_head.weight", "bb02", "exact", 1000, 7.25),
        makeSpectrum("..", "cc03", "exact", 0, 1), // an empty spectrum under a name HDF5 reserves
        makeSpectrum(".", "dd04", "top8", 8, 2),
    };

    Workspace workspace = Workspace::open(path.toStdString(), identity());
    QVERIFY(workspace.tensors().empty());
    for (const TensorSpectrum &s : spectra)
        workspace.putSpectrum(s);
    for (const TensorSpectrum &s : spectra) // pending spectra are already visible
        COMPARE_STORED(workspace, s);
    QVERIFY(!QFile::exists(path)); // nothing is written before save()
    workspace.save();
    QVERIFY(temporaries(dir.path()).isEmpty());

    const Workspace reopened = Workspace::open(path.toStdString(), identity());
    QCOMPARE(reopened.path(), path.toStdString());
    const std::vector<std::string> names = {".", "..", "lm_head.weight", "model.layers.0/attn%q.weight"};
    QCOMPARE(reopened.tensors(), names);
    for (const TensorSpectrum &s : spectra)
        COMPARE_STORED(reopened, s);
    QVERIFY(!reopened.spectrum("lm_head.weight", "top64", "bb02"));
    QVERIFY(!reopened.spectrum("no.such.tensor", "exact", "bb02"));

    // Saving again changes nothing.
    Workspace again = Workspace::open(path.toStdString(), identity());
    again.save();
    for (const TensorSpectrum &s : spectra)
        COMPARE_STORED(Workspace::open(path.toStdString(), identity()), s);
}

void TestWorkspace::layoutOnDisk()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    Workspace workspace = Workspace::open(path.toStdString(), identity());
    workspace.putSpectrum(makeSpectrum("a/b%c", "aa01", "top64", 64, 2));
    workspace.putSpectrum(makeSpectrum("..", "bb02", "exact", 4, 2));
    workspace.save();

    QCOMPARE(stringAttribute(path, QStringLiteral("."), "format"), QStringLiteral("sculpt-workspace"));
    QCOMPARE(rootInt(path, "version"), int64_t(2));
    QCOMPARE(stringAttribute(path, QStringLiteral("."), "model_fingerprint"), q(identity().fingerprint));
    QCOMPARE(stringAttribute(path, QStringLiteral("."), "model_path"), q(kModelPath));
    QVERIFY(exists(path, QStringLiteral("tensors/a%2Fb%25c/spectra/top64")));
    QVERIFY(exists(path, QStringLiteral("tensors/a%2Fb%25c/metrics/top64")));
    QVERIFY(exists(path, QStringLiteral("tensors/%2E%2E/spectra/exact")));
}

void TestWorkspace::changedContentHash()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    const std::string name = "model.layers.3.self_attn.q_proj.weight";
    const TensorSpectrum other = makeSpectrum("lm_head.weight", "ff00", "exact", 50, 9);
    {
        Workspace workspace = Workspace::open(path.toStdString(), identity());
        workspace.putSpectrum(makeSpectrum(name, "old", "exact", 200, 4));
        workspace.putSpectrum(makeSpectrum(name, "old", "top64", 64, 4));
        workspace.putSpectrum(other);
        workspace.save();
    }

    Workspace workspace = Workspace::open(path.toStdString(), identity());
    QVERIFY(!workspace.spectrum(name, "exact", "new"));
    QVERIFY(workspace.spectrum(name, "exact", "old"));
    const TensorSpectrum changed = makeSpectrum(name, "new", "exact", 200, 5);
    workspace.putSpectrum(changed);
    // What is stored under the old hash is as good as gone…
    QVERIFY(!workspace.spectrum(name, "top64", "old"));
    QVERIFY(!workspace.spectrum(name, "exact", "old"));
    QVERIFY(!workspace.spectrum(name, "top64", "new"));
    COMPARE_STORED(workspace, changed);
    workspace.save();
    QVERIFY(!workspace.spectrum(name, "top64", "old"));

    // …and after saving it is gone from the file.
    const Workspace reopened = Workspace::open(path.toStdString(), identity());
    COMPARE_STORED(reopened, changed);
    COMPARE_STORED(reopened, other);
    QVERIFY(!reopened.spectrum(name, "top64", "old"));
    QVERIFY(!reopened.spectrum(name, "top64", "new"));
    const QString group = QStringLiteral("tensors/") + q(name);
    QVERIFY(exists(path, group + QStringLiteral("/spectra/exact")));
    QVERIFY(!exists(path, group + QStringLiteral("/spectra/top64")));
    QVERIFY(!exists(path, group + QStringLiteral("/metrics/top64")));
}

void TestWorkspace::methodsOfATensor()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    const std::vector<std::string> none;
    const std::vector<std::string> both = {"exact", "top64"};
    {
        Workspace workspace = Workspace::open(path.toStdString(), identity());
        workspace.putSpectrum(makeSpectrum("w", "aa", "top64", 64, 2));
        QCOMPARE(workspace.methods("w", "aa"), std::vector<std::string>{"top64"}); // staged ones count
        workspace.save();
    }
    Workspace workspace = Workspace::open(path.toStdString(), identity());
    QCOMPARE(workspace.methods("w", "aa"), std::vector<std::string>{"top64"});
    QCOMPARE(workspace.methods("w", "bb"), none); // another content: nothing stored applies
    QCOMPARE(workspace.methods("v", "aa"), none);
    workspace.putSpectrum(makeSpectrum("w", "aa", "exact", 300, 2));
    QCOMPARE(workspace.methods("w", "aa"), both); // stored and staged together
    workspace.save();
    QCOMPARE(Workspace::open(path.toStdString(), identity()).methods("w", "aa"), both);
    workspace.putSpectrum(makeSpectrum("w", "cc", "top8", 8, 2)); // hides what the old content had
    QCOMPARE(workspace.methods("w", "aa"), none);
    QCOMPARE(workspace.methods("w", "cc"), std::vector<std::string>{"top8"});
}

void TestWorkspace::evaluationsRoundTrip()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    Workspace workspace = Workspace::open(path.toStdString(), identity());
    QVERIFY(workspace.evaluations().empty());
    Evaluation first = makeEvaluation(1.5), second = makeEvaluation(3);
    first.id = "ignored"; // save() gives the ids
    workspace.putEvaluation(first);
    workspace.putEvaluation(second);
    QCOMPARE(workspace.evaluations().size(), size_t(2)); // staged ones are visible, without ids
    QVERIFY(workspace.evaluations()[0].id.empty());
    QVERIFY(!QFile::exists(path));
    workspace.save();
    first.id = "000001";
    second.id = "000002";
    QCOMPARE(difference(workspace.evaluations()[0], first), QString());
    QCOMPARE(difference(workspace.evaluations()[1], second), QString());

    Workspace reopened = Workspace::open(path.toStdString(), identity());
    QCOMPARE(reopened.evaluations().size(), size_t(2));
    QCOMPARE(difference(reopened.evaluations()[0], first), QString());
    QCOMPARE(difference(reopened.evaluations()[1], second), QString());
    QCOMPARE(stringAttribute(path, QStringLiteral("evaluations/000002"), "metric"), QStringLiteral("accuracy"));
    QCOMPARE(stringAttribute(path, QStringLiteral("evaluations/000002/data/labels"), "path"),
             QStringLiteral("/data/t10k-labels%/idx1"));
    QCOMPARE(stringAttribute(path, QStringLiteral("evaluations/000002/settings"), "limit"), QStringLiteral("30"));

    // Spectra saved later leave them as they were; the next one numbers on.
    reopened.putSpectrum(makeSpectrum("w", "aa", "exact", 10, 1));
    Evaluation third = makeEvaluation(2);
    reopened.putEvaluation(third);
    reopened.save();
    third.id = "000003";
    const std::vector<Evaluation> all = Workspace::open(path.toStdString(), identity()).evaluations();
    QCOMPARE(all.size(), size_t(3));
    QCOMPARE(difference(all[0], first), QString());
    QCOMPARE(difference(all[2], third), QString());
}

void TestWorkspace::evaluationsOfConcurrentSavesAreKept()
{
    // The window's spectra job and an evaluation job each hold their own Workspace of the
    // same file: whichever saves last must keep what the other saved.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    Workspace spectra = Workspace::open(path.toStdString(), identity());
    Workspace evaluation = Workspace::open(path.toStdString(), identity());
    evaluation.putEvaluation(makeEvaluation(1));
    evaluation.save();
    const TensorSpectrum s = makeSpectrum("w", "aa", "exact", 10, 1);
    spectra.putSpectrum(s);
    spectra.save();
    Workspace late = Workspace::open(path.toStdString(), identity());
    QCOMPARE(late.evaluations().size(), size_t(1));
    COMPARE_STORED(late, s);
    evaluation.putEvaluation(makeEvaluation(4));
    evaluation.save();
    const Workspace reopened = Workspace::open(path.toStdString(), identity());
    QCOMPARE(reopened.evaluations().size(), size_t(2));
    QCOMPARE(reopened.evaluations()[1].id, std::string("000002"));
    COMPARE_STORED(reopened, s);
}

void TestWorkspace::otherModelIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    Workspace workspace = Workspace::open(path.toStdString(), identity());
    workspace.putSpectrum(makeSpectrum("w", "aa", "exact", 10, 1));
    workspace.save();
    const QByteArray before = contents(path);

    const QString error = openError(path, {"/models/mistral/model.safetensors", "0ther"});
    QVERIFY2(error.startsWith(path + QStringLiteral(": belongs to ") + q(kModelPath)), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("choose another --workspace")), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    QCOMPARE(contents(path), before);
}

void TestWorkspace::notHdf5IsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("notes.h5"));
    QByteArray text;
    for (int i = 0; i < 200; ++i)
        text += "These are my notes, not an HDF5 file. Line " + QByteArray::number(i) + "\n";
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
    f.close();

    const QString error = openError(path, identity());
    QVERIFY2(error.startsWith(path + QStringLiteral(": not an HDF5 file")), qPrintable(error));
    QCOMPARE(contents(path), text);
}

void TestWorkspace::foreignHdf5IsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("data.h5"));
    QVERIFY(createPlainHdf5(path));
    const QByteArray before = contents(path);

    const QString error = openError(path, identity());
    QVERIFY2(error.startsWith(path + QStringLiteral(": not a Sculpt workspace")), qPrintable(error));
    QCOMPARE(contents(path), before);
}

void TestWorkspace::newerVersionIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    Workspace::open(path.toStdString(), identity()).save();
    QVERIFY(setVersion(path, 3));

    const QString error = openError(path, identity());
    QVERIFY2(error.contains(QStringLiteral("newer Sculpt (workspace version 3)")), qPrintable(error));
}

void TestWorkspace::damagedFileIsAnError()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    Workspace workspace = Workspace::open(path.toStdString(), identity());
    workspace.putSpectrum(makeSpectrum("w", "aa", "exact", 2000, 1));
    workspace.save();
    const QByteArray whole = contents(path);

    const QString damaged = dir.filePath(QStringLiteral("damaged.h5"));
    for (const qsizetype size : {whole.size() / 2, whole.size() - 100, qsizetype(600), qsizetype(10)}) {
        QFile f(damaged);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(whole.left(size));
        f.close();
        const QString error = openError(damaged, identity());
        QVERIFY2(error.startsWith(damaged + QStringLiteral(": ")), qPrintable(error));
        QVERIFY(!error.contains(QLatin1Char('\n')));
    }
    const QString error = openError(dir.path(), identity());
    QVERIFY2(error.contains(QStringLiteral("is a folder")), qPrintable(error));
}

void TestWorkspace::saveRefusesFileReplacedMeanwhile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    Workspace workspace = Workspace::open(path.toStdString(), identity());
    QVERIFY(createPlainHdf5(path)); // something else took the name after open()
    const QByteArray before = contents(path);
    workspace.putSpectrum(makeSpectrum("w", "aa", "exact", 10, 1));

    QString error;
    try {
        workspace.save();
    } catch (const FileError &e) {
        error = q(e.what());
    }
    QVERIFY2(error.contains(QStringLiteral("not a Sculpt workspace")), qPrintable(error));
    QCOMPARE(contents(path), before);
    QVERIFY(temporaries(dir.path()).isEmpty());
}

void TestWorkspace::unknownGroupsSurvive()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    const TensorSpectrum first = makeSpectrum("w", "aa", "exact", 10, 1);
    {
        Workspace workspace = Workspace::open(path.toStdString(), identity());
        workspace.putSpectrum(first);
        workspace.save();
    }
    QVERIFY(addPass(path));

    Workspace workspace = Workspace::open(path.toStdString(), identity());
    const TensorSpectrum second = makeSpectrum("v", "bb", "top16", 16, 2);
    workspace.putSpectrum(second);
    workspace.save();

    QCOMPARE(passRatio(path), 0.5);
    const Workspace reopened = Workspace::open(path.toStdString(), identity());
    COMPARE_STORED(reopened, first);
    COMPARE_STORED(reopened, second);
}

void TestWorkspace::killDuringSave()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    const TensorSpectrum base = makeSpectrum("base.weight", "ba5e", "exact", 512, 0.5);
    {
        Workspace workspace = Workspace::open(path.toStdString(), identity());
        workspace.putSpectrum(base);
        workspace.save();
    }

    std::random_device entropy;
    std::mt19937 random(entropy());
    using namespace std::chrono;
    qsizetype interrupted = 0;
    for (int round = 0; round < 6; ++round) {
        const QStringList before = temporaries(dir.path());
        const pid_t child = spawnSaveForever(path);
        QVERIFY(child > 0);
        // Half the rounds kill shortly after a save has made its copy, the others at a
        // random moment: either way most kills land in the middle of a save.
        const auto start = steady_clock::now();
        if (round % 2 == 0) {
            while (temporaries(dir.path()) == before && steady_clock::now() - start < seconds(10))
                std::this_thread::sleep_for(microseconds(200));
            std::this_thread::sleep_for(milliseconds(random() % 20));
        } else {
            std::this_thread::sleep_for(milliseconds(50 + random() % 250));
        }
        QVERIFY2(killChild(child), "the saving child ended by itself");
        // A killed save leaves its temporary file (until the next save removes it).
        interrupted += temporaries(dir.path()).size() > before.size();

        const Workspace workspace = Workspace::open(path.toStdString(), identity());
        COMPARE_STORED(workspace, base);
        const QString problem = childRoundProblem(workspace, path);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    // Without an interrupted save, no kill tested anything.
    qInfo("%lld of 6 kills interrupted a save", static_cast<long long>(interrupted));
    QVERIFY(interrupted > 0);

    // Temporary files the killed children left do not get in the way, and the next save
    // removes them: their writers are gone.
    Workspace workspace = Workspace::open(path.toStdString(), identity());
    const TensorSpectrum after = makeSpectrum("after.weight", "af7e", "top8", 8, 3);
    workspace.putSpectrum(after);
    workspace.save();
    const Workspace reopened = Workspace::open(path.toStdString(), identity());
    COMPARE_STORED(reopened, base);
    COMPARE_STORED(reopened, after);
    QVERIFY2(temporaries(dir.path()).isEmpty(), qPrintable(temporaries(dir.path()).join(", ")));
    const QString problem = childRoundProblem(reopened, path);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestWorkspace::defaultPath()
{
    QTemporaryDir dir;
    const bool hadXdg = qEnvironmentVariableIsSet("XDG_DATA_HOME");
    const QByteArray savedXdg = qgetenv("XDG_DATA_HOME");
    const auto restore = qScopeGuard([&] {
        if (hadXdg)
            qputenv("XDG_DATA_HOME", savedXdg);
        else
            qunsetenv("XDG_DATA_HOME");
    });
    qputenv("XDG_DATA_HOME", dir.path().toUtf8());

    const std::string llama = Workspace::defaultPath(kModelPath);
    const QString hash = QStringLiteral("%1").arg(XXH3_64bits(kModelPath.data(), kModelPath.size()), 16, 16,
                                                  QLatin1Char('0'));
    QCOMPARE(q(llama), dir.path() + QStringLiteral("/sculpt/workspaces/model.safetensors-") + hash +
                           QStringLiteral(".h5"));
    QCOMPARE(Workspace::defaultPath(kModelPath), llama);
    QVERIFY(Workspace::defaultPath("/models/mistral/model.safetensors") != llama);

    // A folder is named after itself, with or without a trailing '/'.
    const QString folder = q(Workspace::defaultPath("/models/Llama-2-7b-hf/"));
    QCOMPARE(folder, q(Workspace::defaultPath("/models/Llama-2-7b-hf")));
    QVERIFY2(folder.startsWith(dir.path() + QStringLiteral("/sculpt/workspaces/Llama-2-7b-hf-")), qPrintable(folder));
    // A relative path means the file in the current folder.
    QCOMPARE(Workspace::defaultPath("model.safetensors"),
             Workspace::defaultPath(QDir::currentPath().toStdString() + "/model.safetensors"));

    qunsetenv("XDG_DATA_HOME");
    QVERIFY(q(Workspace::defaultPath(kModelPath))
                .startsWith(QDir::homePath() + QStringLiteral("/.local/share/sculpt/workspaces/model.safetensors-")));
}

void TestWorkspace::saveCreatesFolders()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("data/sculpt/workspaces/ws.h5"));
    Workspace workspace = Workspace::open(path.toStdString(), identity());
    const TensorSpectrum spectrum = makeSpectrum("w", "aa", "exact", 10, 1);
    workspace.putSpectrum(spectrum);
    workspace.save();
    QVERIFY(QFile::exists(path));
    COMPARE_STORED(Workspace::open(path.toStdString(), identity()), spectrum);
}

void TestWorkspace::saveKeepsPermissions()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    const mode_t mask = ::umask(022);
    const auto restore = qScopeGuard([mask] { ::umask(mask); });
    // A new workspace gets the mode a plain create would, not mkstemp's 0600…
    Workspace workspace = Workspace::open(path.toStdString(), identity());
    workspace.save();
    QCOMPARE(mode(path), 0644);
    // …and an existing one keeps its own.
    QCOMPARE(::chmod(path.toUtf8().constData(), 0600), 0);
    workspace.putSpectrum(makeSpectrum("w", "aa", "exact", 10, 1));
    workspace.save();
    QCOMPARE(mode(path), 0600);
}

void TestWorkspace::ownerIsWhatTheFileSays()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    Workspace::open(path.toStdString(), identity()).save();
    const ModelIdentity owner = Workspace::owner(path.toStdString());
    QCOMPARE(owner.path, kModelPath);
    QCOMPARE(owner.fingerprint, identity().fingerprint);

    const auto ownerError = [](const QString &file) {
        try {
            Workspace::owner(file.toStdString());
        } catch (const FileError &error) {
            return q(error.what());
        }
        return QString();
    };
    QCOMPARE(ownerError(dir.filePath(QStringLiteral("none.h5"))), dir.filePath(QStringLiteral("none.h5: no such file")));
    const QString notes = dir.filePath(QStringLiteral("notes.h5"));
    QFile f(notes);
    QVERIFY(f.open(QIODevice::WriteOnly) && f.write("my notes\n") > 0);
    f.close();
    QVERIFY2(ownerError(notes).contains(QStringLiteral("not an HDF5 file")), qPrintable(ownerError(notes)));
}

void TestWorkspace::mergeCopiesWhatIsNotHeld()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    const std::string first = "layers.0.q.weight", second = "layers.0.k.weight", third = "layers.1.q.weight";
    {
        Workspace workspace = Workspace::open(path.toStdString(), identity());
        workspace.putSpectrum(makeSpectrum(first, "h1", "exact", 40, 1));
        workspace.putSpectrum(makeSpectrum(second, "h2", "exact", 40, 2));
        workspace.save();
    }
    Workspace a = Workspace::open(dir.filePath(QStringLiteral("a.h5")).toStdString(), identity());
    a.putSpectrum(makeSpectrum(first, "h1", "exact", 40, 10)); // held: skipped, the stored one stays
    a.putSpectrum(makeSpectrum(first, "h1", "top8", 8, 11));   // a new method of held content
    a.putSpectrum(makeSpectrum(third, "h3", "exact", 40, 12));
    a.save();
    Workspace b = Workspace::open(dir.filePath(QStringLiteral("b.h5")).toStdString(), identity());
    b.putSpectrum(makeSpectrum(second, "h2-changed", "top8", 8, 20)); // the weight changed since
    b.putSpectrum(makeSpectrum(third, "h3", "exact", 40, 21));        // a got it there first
    b.putEvaluation(makeEvaluation(1));                               // a record comes along too

    Workspace workspace = Workspace::open(path.toStdString(), identity());
    const auto merged = workspace.merge({&a, &b});
    QCOMPARE(merged.size(), size_t(2));
    QCOMPARE(merged[0].added, 2L);
    QCOMPARE(merged[0].skipped, 1L);
    QCOMPARE(merged[0].replaced, 0L);
    QCOMPARE(merged[1].added, 1L);
    QCOMPARE(merged[1].skipped, 1L);
    QCOMPARE(merged[1].replaced, 1L);
    QCOMPARE(merged[1].recordsAdded, 1L);

    const Workspace saved = Workspace::open(path.toStdString(), identity());
    COMPARE_STORED(saved, makeSpectrum(first, "h1", "exact", 40, 1));
    COMPARE_STORED(saved, makeSpectrum(first, "h1", "top8", 8, 11));
    COMPARE_STORED(saved, makeSpectrum(second, "h2-changed", "top8", 8, 20));
    QVERIFY(!saved.spectrum(second, "exact", "h2")); // the old content's spectra went with it
    COMPARE_STORED(saved, makeSpectrum(third, "h3", "exact", 40, 12));
    QCOMPARE(saved.evaluations().size(), size_t(1));
    QCOMPARE(saved.evaluations()[0].value, makeEvaluation(1).value);
    QCOMPARE(saved.evaluations()[0].id, std::string("000001")); // numbered here

    // Merged again, everything is held, and the file is not rewritten.
    const QByteArray before = contents(path);
    const auto again = workspace.merge({&a, &b});
    QCOMPARE(again[0].added + again[1].added + again[1].recordsAdded, 0L);
    QCOMPARE(again[0].skipped + again[1].skipped, 5L);
    QCOMPARE(again[1].recordsSkipped, 1L);
    QCOMPARE(contents(path), before);
}

void TestWorkspace::mergeDecidesAgainstTheFileAsItIsThen()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    Workspace workspace = Workspace::open(path.toStdString(), identity()); // before the file exists
    Workspace part = Workspace::open(dir.filePath(QStringLiteral("part.h5")).toStdString(), identity());
    part.putSpectrum(makeSpectrum("w", "aa", "exact", 10, 2));
    // Another process saves the same spectrum meanwhile: the merge finds it held.
    Workspace other = Workspace::open(path.toStdString(), identity());
    other.putSpectrum(makeSpectrum("w", "aa", "exact", 10, 1));
    other.save();
    part.putEvaluation(makeEvaluation(1));
    other.putEvaluation(makeEvaluation(1)); // the same run, copied there first
    other.save();
    const auto merged = workspace.merge({&part});
    QCOMPARE(merged[0].added, 0L);
    QCOMPARE(merged[0].skipped, 1L);
    QCOMPARE(merged[0].recordsSkipped, 1L);
    COMPARE_STORED(Workspace::open(path.toStdString(), identity()), makeSpectrum("w", "aa", "exact", 10, 1));
    QCOMPARE(Workspace::open(path.toStdString(), identity()).evaluations().size(), size_t(1));
}

void TestWorkspace::mergeRefusesAnotherModelsPart()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.h5"));
    Workspace workspace = Workspace::open(path.toStdString(), identity());
    workspace.putSpectrum(makeSpectrum("w", "aa", "exact", 10, 1));
    workspace.save();
    const QByteArray before = contents(path);
    Workspace ours = Workspace::open(dir.filePath(QStringLiteral("ours.h5")).toStdString(), identity());
    ours.putSpectrum(makeSpectrum("v", "bb", "exact", 10, 2));
    const QString theirsPath = dir.filePath(QStringLiteral("theirs.h5"));
    Workspace theirs = Workspace::open(theirsPath.toStdString(), {"/models/mistral/model.safetensors", "0ther"});
    theirs.putSpectrum(makeSpectrum("u", "cc", "exact", 10, 3));
    QString error;
    try {
        workspace.merge({&ours, &theirs});
    } catch (const FileError &e) {
        error = q(e.what());
    }
    QVERIFY2(error.startsWith(theirsPath + QStringLiteral(": made for /models/mistral/model.safetensors, another model")),
             qPrintable(error));
    QVERIFY2(error.endsWith(QStringLiteral("; nothing merged")), qPrintable(error));
    QCOMPARE(contents(path), before);
    // Nothing of `ours` was staged either: a later save writes nothing of it.
    QVERIFY(!workspace.spectrum("v", "exact", "bb"));
    workspace.save();
    QVERIFY(!Workspace::open(path.toStdString(), identity()).spectrum("v", "exact", "bb"));
}

// Like QTEST_APPLESS_MAIN, except that killDuringSave() runs this binary again as the
// child it kills.
int main(int argc, char **argv)
{
    if (argc == 3 && std::strcmp(argv[1], kSaveForeverFlag) == 0)
        return saveForever(argv[2]);
    TestWorkspace test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "test_workspace.moc"
