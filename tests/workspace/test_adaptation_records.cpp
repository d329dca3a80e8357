// Adaptation runs (adapt, heads, heat, pear) in the workspace: every field comes back as it was
// saved (NaN for what was not measured, no scores for adapt, a 6 × 8 score matrix, the masked
// heads and the side-by-side preview for heat, the adapter scores, sharing and routers' weights
// for pear; adapt's here has no preview and reads back without),
// ids follow the order of saving, runs that two Workspace objects save in turn are both kept, a
// workspace written before runs were recorded reads as having none, and a damaged run is a
// one-line FileError naming the file, as are scores that do not fill their matrix.

#include "io/error.h"
#include "workspace/workspace.h"

#include <hdf5.h>

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace sculpt;

namespace {

const ModelIdentity kModel{"/models/fashion-vit", "5eed5eed"};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// In role order: data files come back in the order of their groups' names, as evaluations' do.
std::vector<DataFile> taskFiles()
{
    return {{"config", "/models/fashion-vit/config.json", 512, "00ff00ff00ff00ff"},
            {"images", "/data/t1/train-images-idx3-ubyte.gz", 9912422, "0123456789abcdef"},
            {"labels", "/data/t1/train-labels-idx1-ubyte.gz", 28881, "fedcba9876543210"}};
}

// `adapt` with LoRA: a curve, both accuracies, no scores, nothing masked.
AdaptationRecord makeAdapt(double seed)
{
    AdaptationRecord r;
    r.command = "adapt";
    r.task = "t1";
    r.method = "lora";
    r.rank = 8;
    r.epochs = 3;
    r.learningRate = 1e-2;
    r.seed = 42;
    r.trainable = 12345 + int64_t(seed);
    for (int64_t e = 1; e <= r.epochs; ++e)
        r.curve.push_back({e, 2.0 / double(e) + seed, 0.5 + 0.1 * double(e)});
    r.validationAccuracy = r.curve.back().validationAccuracy;
    r.testAccuracy = 0.715 + seed / 100;
    r.output = "/tmp/fashion-vit-lora";
    r.data = taskFiles();
    r.modelHash = "abcdef0123456789";
    r.date = "2025-02-01T09:30:00Z";
    r.seconds = 12.5 + seed;
    return r;
}

// `heat`: scores on a 6-layer, 8-head model, a quarter of the heads masked per layer, the
// model written out smaller; a seed that needs all 64 bits.
AdaptationRecord makeHeat()
{
    AdaptationRecord r;
    r.command = "heat";
    r.task = "t3";
    r.method = "bottleneck";
    r.rank = 4;
    r.epochs = 2;
    r.learningRate = 3e-3;
    r.seed = 0xfedcba9876543210ull;
    r.trainable = 4242;
    for (int64_t e = 1; e <= 2 * r.epochs; ++e) // the second run numbers on
        r.curve.push_back({e, 1.0 / double(e), 0.25 * double(e)});
    r.validationAccuracy = 0.5;
    r.testAccuracy = 0.625;
    r.scores.strategy = "activations";
    r.scores.layers = 6;
    r.scores.heads = 8;
    for (int64_t l = 0; l < 6; ++l)
        for (int64_t h = 0; h < 8; ++h) // not symmetric, so a transposed matrix would show
            r.scores.values.push_back(double(l) * 10 + double(h) / 8 + 0.001);
    r.mask = 0.25;
    r.perLayer = true;
    for (int64_t l = 0; l < 6; ++l)
        r.masked.push_back({l, 0}), r.masked.push_back({l, 1});
    r.maskedValidationAccuracy = 0.575;
    r.referencePredictions = {7, 2, 1, 0, 4};
    r.predictions = {7, 2, 1, 6, 4};
    r.referenceTestAccuracy = 0.65;
    r.referenceTrainable = 4242;
    r.output = "/tmp/fashion-vit-heat";
    r.before = {5'000'000'000, 9'000'000'000};
    r.after = {3'750'000'000, 6'750'000'000};
    r.data = taskFiles();
    r.modelHash = "0123456789abcdef";
    r.date = "2025-02-01T10:00:00Z";
    r.seconds = 60.25;
    return r;
}

// `heads` on the model as it is: no training, so nothing measured but the scores.
AdaptationRecord makeHeadsUntrained()
{
    AdaptationRecord r;
    r.command = "heads";
    r.task = "t2";
    r.method = "none";
    r.epochs = 0;
    r.scores.strategy = "weights";
    r.scores.layers = 2;
    r.scores.heads = 3;
    r.scores.values = {0, 1, 2, 3, 4, 5};
    r.date = "2025-02-01T11:00:00Z";
    return r;
}

// `pear` of Lily adapters: four positions scored, half pruned, one served by depth, the
// knowledge checkpoint on; the routers' mean weights over 3 experts.
AdaptationRecord makePear()
{
    AdaptationRecord r;
    r.command = "pear";
    r.task = "t1";
    r.method = "lily";
    r.rank = 8;
    r.epochs = 4;
    r.changedAfter = 2;
    r.curve = {{1, 2.0, 0.3}, {2, 1.5, 0.4}, {3, 1.2, 0.45}, {4, 1.1, 0.5}};
    r.validationAccuracy = 0.4;
    r.maskedValidationAccuracy = 0.5;
    r.prunedValidationAccuracy = 0.375;
    r.testAccuracy = 0.48;
    const char *sites[] = {"vit.encoder.layer.0.attention.attention.query", "vit.encoder.layer.0.attention.attention.value",
                           "vit.encoder.layer.1.attention.attention.query", "vit.encoder.layer.1.attention.attention.value"};
    for (int64_t i = 0; i < 4; ++i)
        r.adapterScores.push_back({{sites[i], i / 2, i % 2 ? "v" : "q", "lily", 528 + i}, 0.25 * double(i) + 0.01});
    r.sharing.fraction = 0.5;
    r.sharing.rule = "depth";
    r.sharing.knowledgeCheckpoint = true;
    r.sharing.pruned = {true, false, true, false};
    r.sharing.servedBy = {3, -1, -1, -1};
    r.adapterParametersBefore = 6000;
    r.adapterParametersAfter = 6001;
    r.routing.rows = {"0 q", "1 q"};
    r.routing.experts = 3;
    r.routing.weights = {0.5, 0.25, 0.25, 0.125, 0.125, 0.75};
    r.date = "2025-02-01T12:00:00Z";
    return r;
}

// Equal, or both NaN.
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

void compare(const AdaptationRecord &got, const AdaptationRecord &want)
{
    QCOMPARE(got.command, want.command);
    QCOMPARE(got.task, want.task);
    QCOMPARE(got.method, want.method);
    QCOMPARE(got.rank, want.rank);
    QCOMPARE(got.epochs, want.epochs);
    QCOMPARE(got.learningRate, want.learningRate);
    QCOMPARE(got.seed, want.seed);
    QCOMPARE(got.trainable, want.trainable);
    QCOMPARE(got.curve.size(), want.curve.size());
    for (size_t i = 0; i < got.curve.size(); ++i) {
        QCOMPARE(got.curve[i].epoch, want.curve[i].epoch);
        QCOMPARE(got.curve[i].trainLoss, want.curve[i].trainLoss);
        QCOMPARE(got.curve[i].validationAccuracy, want.curve[i].validationAccuracy);
    }
    QVERIFY2(same(got.validationAccuracy, want.validationAccuracy), "validation accuracy");
    QVERIFY2(same(got.testAccuracy, want.testAccuracy), "test accuracy");
    QCOMPARE(got.scores.strategy, want.scores.strategy);
    QCOMPARE(got.scores.layers, want.scores.layers);
    QCOMPARE(got.scores.heads, want.scores.heads);
    QCOMPARE(got.scores.values, want.scores.values);
    QCOMPARE(got.mask, want.mask);
    QCOMPARE(got.perLayer, want.perLayer);
    QCOMPARE(got.masked, want.masked);
    QVERIFY2(same(got.maskedValidationAccuracy, want.maskedValidationAccuracy), "masked validation accuracy");
    QCOMPARE(got.referencePredictions, want.referencePredictions);
    QCOMPARE(got.predictions, want.predictions);
    QVERIFY2(same(got.referenceTestAccuracy, want.referenceTestAccuracy), "the starting model's test accuracy");
    QCOMPARE(got.referenceTrainable, want.referenceTrainable);
    QCOMPARE(got.output, want.output);
    QCOMPARE(got.before.parameters, want.before.parameters);
    QCOMPARE(got.before.multiplyAdds, want.before.multiplyAdds);
    QCOMPARE(got.after.parameters, want.after.parameters);
    QCOMPARE(got.after.multiplyAdds, want.after.multiplyAdds);
    QCOMPARE(got.data.size(), want.data.size());
    for (size_t i = 0; i < got.data.size(); ++i) {
        QCOMPARE(got.data[i].role, want.data[i].role);
        QCOMPARE(got.data[i].path, want.data[i].path);
        QCOMPARE(got.data[i].bytes, want.data[i].bytes);
        QCOMPARE(got.data[i].contentHash, want.data[i].contentHash);
    }
    QCOMPARE(got.modelHash, want.modelHash);
    QCOMPARE(got.date, want.date);
    QCOMPARE(got.seconds, want.seconds);
    QCOMPARE(got.changedAfter, want.changedAfter);
    QCOMPARE(got.adapterScores.size(), want.adapterScores.size());
    for (size_t i = 0; i < got.adapterScores.size(); ++i) {
        const AdapterPosition &g = got.adapterScores[i].position, &w = want.adapterScores[i].position;
        QCOMPARE(g.site, w.site);
        QCOMPARE(g.layer, w.layer);
        QCOMPARE(g.role, w.role);
        QCOMPARE(g.kind, w.kind);
        QCOMPARE(g.parameters, w.parameters);
        QCOMPARE(got.adapterScores[i].score, want.adapterScores[i].score);
    }
    QCOMPARE(got.sharing.fraction, want.sharing.fraction);
    QCOMPARE(got.sharing.rule, want.sharing.rule);
    QCOMPARE(got.sharing.knowledgeCheckpoint, want.sharing.knowledgeCheckpoint);
    QCOMPARE(got.sharing.pruned, want.sharing.pruned);
    QCOMPARE(got.sharing.servedBy, want.sharing.servedBy);
    QVERIFY2(same(got.prunedValidationAccuracy, want.prunedValidationAccuracy), "validation accuracy after pruning");
    QCOMPARE(got.adapterParametersBefore, want.adapterParametersBefore);
    QCOMPARE(got.adapterParametersAfter, want.adapterParametersAfter);
    QCOMPARE(got.routing.rows, want.routing.rows);
    QCOMPARE(got.routing.experts, want.routing.experts);
    QCOMPARE(got.routing.weights, want.routing.weights);
}

std::vector<std::string> ids(const std::vector<AdaptationRecord> &records)
{
    std::vector<std::string> all;
    for (const AdaptationRecord &r : records)
        all.push_back(r.id);
    return all;
}

// The message of the FileError open() throws, or an empty string when it opens.
QString openError(const std::string &path)
{
    try {
        Workspace::open(path, kModel);
    } catch (const FileError &error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

// Opens `path` read-write with plain HDF5 and hands the group of run `id` to `change`.
bool changeRun(const std::string &path, const char *id, const std::function<bool(hid_t)> &change)
{
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t runs = file >= 0 ? H5Gopen2(file, "adaptations", H5P_DEFAULT) : -1;
    const hid_t run = runs >= 0 ? H5Gopen2(runs, id, H5P_DEFAULT) : -1;
    const bool changed = run >= 0 && change(run);
    if (run >= 0)
        H5Gclose(run);
    if (runs >= 0)
        H5Gclose(runs);
    if (file >= 0)
        H5Fclose(file);
    return changed;
}

// Replaces `group`/`name` by an int64 or float64 dataset of shape `dims`, holding `values`
// (or, when `values` is null, declared but never written).
bool replaceDataset(hid_t group, const char *name, hid_t type, std::vector<hsize_t> dims, const void *values)
{
    if (H5Lexists(group, name, H5P_DEFAULT) > 0 && H5Ldelete(group, name, H5P_DEFAULT) < 0)
        return false;
    const hid_t space = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
    const hid_t data = H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const bool written = data >= 0 && (!values || H5Dwrite(data, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0);
    if (data >= 0)
        H5Dclose(data);
    H5Sclose(space);
    return written;
}

} // namespace

class TestAdaptationRecords : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyFieldComesBack()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        AdaptationRecord adapt = makeAdapt(1), heat = makeHeat(), heads = makeHeadsUntrained(), pear = makePear();
        heat.changedAfter = heat.epochs;
        adapt.id = "ignored"; // save() gives the ids
        Workspace w = Workspace::open(path, kModel);
        QVERIFY(w.adaptations().empty());
        w.putAdaptation(adapt);
        w.putAdaptation(heat);
        w.putAdaptation(heads);
        w.putAdaptation(pear);
        QCOMPARE(w.adaptations().size(), size_t(4)); // staged ones are listed, without ids yet
        QVERIFY(w.adaptations()[0].id.empty());
        QVERIFY(!QFileInfo::exists(QString::fromStdString(path)));
        w.save();
        QCOMPARE(ids(w.adaptations()), (std::vector<std::string>{"000001", "000002", "000003", "000004"}));

        const std::vector<AdaptationRecord> back = Workspace::open(path, kModel).adaptations();
        QCOMPARE(ids(back), (std::vector<std::string>{"000001", "000002", "000003", "000004"}));
        compare(back[0], adapt);
        compare(back[1], heat);
        compare(back[2], heads);
        compare(back[3], pear);
        // Spelled out, what the comparisons above take for granted.
        QVERIFY(back[0].scores.values.empty() && back[0].scores.layers == 0 && back[0].masked.empty());
        QCOMPARE(back[0].mask, -1.0);
        QVERIFY(std::isnan(back[0].maskedValidationAccuracy));
        QCOMPARE(back[1].scores.at(5, 7), 50 + 7.0 / 8 + 0.001);
        QCOMPARE(back[1].masked.size(), size_t(12));
        QCOMPARE(back[1].masked[11], (LayerHead{5, 1}));
        QCOMPARE(back[1].seed, uint64_t(0xfedcba9876543210ull));
        QVERIFY(std::isnan(back[2].validationAccuracy) && std::isnan(back[2].testAccuracy));
        QVERIFY(back[2].curve.empty() && back[2].data.empty());
    }

    void runsOfTwoWorkspacesSavedInTurnAreKept()
    {
        // The window and sculpt-cli each hold their own Workspace of the same file: whichever
        // saves last keeps what the other saved, and ids follow the order of saving.
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        Workspace window = Workspace::open(path, kModel);
        Workspace cli = Workspace::open(path, kModel);
        window.putAdaptation(makeAdapt(1));
        window.save();
        cli.putAdaptation(makeHeat());
        cli.save();
        QCOMPARE(ids(cli.adaptations()), std::vector<std::string>{"000002"});
        window.putAdaptation(makeAdapt(2));
        window.save();
        QCOMPARE(ids(window.adaptations()), (std::vector<std::string>{"000001", "000003"}));

        const std::vector<AdaptationRecord> back = Workspace::open(path, kModel).adaptations();
        QCOMPARE(ids(back), (std::vector<std::string>{"000001", "000002", "000003"}));
        compare(back[0], makeAdapt(1));
        compare(back[1], makeHeat());
        compare(back[2], makeAdapt(2));
    }

    void otherRecordsAndRunsLeaveEachOtherAlone()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        Workspace w = Workspace::open(path, kModel);
        Evaluation e;
        e.metric = "accuracy";
        e.value = 0.7;
        w.putEvaluation(e);
        w.putAdaptation(makeHeat());
        w.save();
        Workspace again = Workspace::open(path, kModel);
        QCOMPARE(again.evaluations().size(), size_t(1));
        QCOMPARE(again.evaluations()[0].id, std::string("000001")); // numbered apart from the runs
        QCOMPARE(ids(again.adaptations()), std::vector<std::string>{"000001"});
        again.putEvaluation(e);
        again.save();
        const Workspace reopened = Workspace::open(path, kModel);
        QCOMPARE(reopened.evaluations().size(), size_t(2));
        compare(reopened.adaptations().at(0), makeHeat());
    }

    void anOlderWorkspaceReadsAsHavingNoRuns()
    {
        // Written before runs were recorded: no /adaptations group, workspace version 1.
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        Workspace old = Workspace::open(path, kModel);
        Evaluation e;
        e.metric = "perplexity";
        e.value = 4.5;
        old.putEvaluation(e);
        old.save();
        {
            const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
            QVERIFY(file >= 0);
            QCOMPARE(H5Lexists(file, "adaptations", H5P_DEFAULT), htri_t(0));
            const int32_t version = 1;
            const hid_t attribute = H5Aopen(file, "version", H5P_DEFAULT);
            QVERIFY(H5Awrite(attribute, H5T_NATIVE_INT32, &version) >= 0);
            H5Aclose(attribute);
            H5Fclose(file);
        }
        Workspace w = Workspace::open(path, kModel);
        QVERIFY(w.adaptations().empty());
        QCOMPARE(w.evaluations().size(), size_t(1));
        w.putAdaptation(makeAdapt(1));
        w.save();
        const Workspace reopened = Workspace::open(path, kModel);
        QCOMPARE(ids(reopened.adaptations()), std::vector<std::string>{"000001"});
        QCOMPARE(reopened.evaluations().size(), size_t(1));
    }

    void aDamagedRunIsAOneLineError_data()
    {
        QTest::addColumn<QString>("damage"); // what the test below does to the second run
        for (const char *row : {"no task", "seed not a number", "scores not a matrix", "scores never written",
                                "masked not pairs", "masked outside the scores", "curve uneven", "preview uneven",
                                "served by a pruned one", "routing not a distribution", "no data"})
            QTest::newRow(row) << QString::fromLatin1(row);
    }

    void aDamagedRunIsAOneLineError()
    {
        QFETCH(QString, damage);
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        Workspace w = Workspace::open(path, kModel);
        w.putAdaptation(makeAdapt(1));
        AdaptationRecord second = makeHeat(); // with pear's tables too, to damage them
        const AdaptationRecord pear = makePear();
        second.adapterScores = pear.adapterScores;
        second.sharing = pear.sharing;
        second.routing = pear.routing;
        w.putAdaptation(second);
        w.save();

        const double three[] = {1, 2, 3};
        const int64_t triples[] = {0, 1, 2, 3, 4, 5};
        const int64_t outside[] = {6, 0};
        const double shortColumn[] = {0.5};
        QString expected; // what the message names
        const bool changed = changeRun(path, "000002", [&](hid_t run) {
            if (damage == QLatin1String("no task")) {
                expected = QStringLiteral("/adaptations/000002 has no attribute task");
                return H5Adelete(run, "task") >= 0;
            }
            if (damage == QLatin1String("seed not a number")) {
                expected = QStringLiteral("attribute seed of /adaptations/000002");
                if (H5Adelete(run, "seed") < 0)
                    return false;
                const hid_t type = H5Tcopy(H5T_C_S1);
                H5Tset_size(type, 4);
                const hid_t scalar = H5Screate(H5S_SCALAR);
                const hid_t attribute = H5Acreate2(run, "seed", type, scalar, H5P_DEFAULT, H5P_DEFAULT);
                const bool ok = attribute >= 0 && H5Awrite(attribute, type, "abc") >= 0;
                H5Aclose(attribute);
                H5Sclose(scalar);
                H5Tclose(type);
                return ok;
            }
            if (damage == QLatin1String("scores not a matrix")) {
                expected = QStringLiteral("/adaptations/000002/scores does not have 2 dimension(s)");
                return replaceDataset(run, "scores", H5T_NATIVE_DOUBLE, {3}, three);
            }
            if (damage == QLatin1String("scores never written")) {
                // A shape claimed without the values behind it: refused before allocating.
                expected = QStringLiteral("/adaptations/000002/scores claims 4000000000000 values");
                return replaceDataset(run, "scores", H5T_NATIVE_DOUBLE, {2000000, 2000000}, nullptr);
            }
            if (damage == QLatin1String("masked not pairs")) {
                expected = QStringLiteral("/adaptations/000002/masked does not hold (layer, head) pairs");
                return replaceDataset(run, "masked", H5T_NATIVE_INT64, {2, 3}, triples);
            }
            if (damage == QLatin1String("masked outside the scores")) {
                expected = QStringLiteral("/adaptations/000002/masked names head (6, 0), outside the model's 6 × 8");
                return replaceDataset(run, "masked", H5T_NATIVE_INT64, {1, 2}, outside);
            }
            if (damage == QLatin1String("curve uneven")) {
                expected = QStringLiteral("/adaptations/000002/curve has columns of different lengths");
                const hid_t curve = H5Gopen2(run, "curve", H5P_DEFAULT);
                const bool ok = replaceDataset(curve, "train_loss", H5T_NATIVE_DOUBLE, {1}, shortColumn);
                H5Gclose(curve);
                return ok;
            }
            if (damage == QLatin1String("preview uneven")) {
                expected = QStringLiteral("/adaptations/000002/preview predicts 5 images before and 1 after");
                const hid_t preview = H5Gopen2(run, "preview", H5P_DEFAULT);
                const int64_t one[] = {3};
                const bool ok = replaceDataset(preview, "after", H5T_NATIVE_INT64, {1}, one);
                H5Gclose(preview);
                return ok;
            }
            if (damage == QLatin1String("served by a pruned one")) {
                expected = QStringLiteral("/adaptations/000002/adapters: position 0 is served by 2");
                const hid_t adapters = H5Gopen2(run, "adapters", H5P_DEFAULT);
                const int64_t servedBy[] = {2, -1, -1, -1};
                const bool ok = replaceDataset(adapters, "served_by", H5T_NATIVE_INT64, {4}, servedBy);
                H5Gclose(adapters);
                return ok;
            }
            if (damage == QLatin1String("routing not a distribution")) {
                expected = QStringLiteral("/adaptations/000002/routing: layer 1 q's expert weights sum to");
                const hid_t routing = H5Gopen2(run, "routing", H5P_DEFAULT);
                const double weights[] = {0.5, 0.25, 0.25, 0.5, 0.5, 0.5};
                const bool ok = replaceDataset(routing, "weights", H5T_NATIVE_DOUBLE, {2, 3}, weights);
                H5Gclose(routing);
                return ok;
            }
            expected = QStringLiteral("/adaptations/000002/data");
            return H5Ldelete(run, "data", H5P_DEFAULT) >= 0;
        });
        QVERIFY(changed);
        const QString error = openError(path);
        const QString file = QString::fromStdString(path);
        QVERIFY2(error.startsWith(file + QStringLiteral(": ")), qPrintable(error));
        QVERIFY2(error.contains(expected), qPrintable(error + QStringLiteral(" lacks ") + expected));
        QVERIFY(!error.contains(QLatin1Char('\n')));
    }

    void scoresThatDoNotFillTheirMatrixAreRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        AdaptationRecord bad = makeHeat();
        bad.scores.values.pop_back();
        Workspace w = Workspace::open(path, kModel);
        w.putAdaptation(bad);
        QString error;
        try {
            w.save();
        } catch (const FileError &e) {
            error = QString::fromStdString(e.what());
        }
        QVERIFY2(error.contains(QStringLiteral("head scores hold 47 values for 6 layers × 8 heads")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(dir.filePath("w.h5"))); // nothing half-written
        QCOMPARE(w.adaptations().size(), size_t(1));       // still staged, still without an id
        QVERIFY(w.adaptations()[0].id.empty());
    }
};

QTEST_GUILESS_MAIN(TestAdaptationRecords)
#include "test_adaptation_records.moc"
