// Compression passes in the workspace: a record comes back as it was saved (layers with σ and
// gains in projection order, the training log, settings, data files, side-by-side
// perplexities), ids in save order, an
// export recorded later replaces the saved pass in place, passes other Workspace objects saved
// are kept, and a group under /passes that is not this version's is neither read nor lost.

#include "io/error.h"
#include "workspace/workspace.h"

#include <hdf5.h>

#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;

namespace {

const ModelIdentity kModel{"/models/stories/model.bin", "0a1b2c3d"};

// A pass whose numbers all follow from `seed`; SoCo-like (gains and a log) when `trained`.
PassRecord makePass(const std::string &method, double seed, bool trained, size_t layers = 12)
{
    PassRecord r;
    r.summary.method = method;
    r.summary.targetRatio = 0.4;
    r.summary.ratio = 0.4 + seed / 1000;
    r.summary.parametersBefore = 260032;
    r.summary.parametersAfter = 169376 + int64_t(seed);
    r.summary.seconds = 1.5 * seed;
    r.summary.parametersAdded = 4096 + int64_t(seed);
    r.summary.decoderMacsBefore = 3.5e6 * seed;
    r.summary.decoderMacsAfter = 0.25e6 * seed;
    for (size_t i = 0; i < layers; ++i) { // more than ten, so name order is not projection order
        CompressedLayer l;
        l.name = "model.layers." + std::to_string(i) + ".mlp.up_proj";
        l.rows = 172;
        l.cols = 64;
        l.rank = int64_t(i) + 3;
        l.dense = i == 1;
        for (int k = 0; k < 5; ++k) {
            l.singularValues.push_back(float(seed + 10.0 / (k + 1 + double(i))));
            if (trained)
                l.gains.push_back(k % 2 ? 0.0f : float(1.25 + k + seed));
        }
        r.summary.layers.push_back(l);
    }
    r.summary.spectrumOf = trained ? "W·S" : "W";
    r.settings = {{"coarse_steps", 20}, {"jitter", 1e-6}};
    r.calibration = trained ? "text" : "images";
    r.modelKind = trained ? "language" : "vision";
    r.calibrationCount = 8;
    r.data = {{"calibration", "/data/val.txt", 19000, "00ff00ff00ff00ff"},
              {"tokenizer", "/m/tok512.bin", 6000, "abcdabcdabcdabcd"}};
    if (trained)
        for (long s = 1; s <= 7; ++s) {
            TrainingStep step;
            step.step = s;
            step.steps = 7;
            step.stage = s <= 3 ? "coarse" : s <= 5 ? "refine" : "sparsify";
            step.values = {{"loss", 10.0 / double(s) + seed}, {"kl", 0.1 * double(s)}, {"ratio", s >= 6 ? 0.4 : 0}};
            std::vector<int64_t> active;
            for (size_t i = 0; i < layers; ++i)
                active.push_back(int64_t(64 - s - long(i)));
            step.counts = {{"active", active}};
            r.log.push_back(step);
        }
    r.date = "2025-01-31T17:04:05Z";
    if (trained)
        for (const char *model : {"original", "compressed"}) {
            Evaluation e;
            e.metric = "perplexity";
            e.value = seed + (model[0] == 'o' ? 4.2 : 37.05);
            e.counted = "tokens";
            e.count = 1234;
            e.data = {{"text", "/data/val.txt", 19000, "00ff00ff00ff00ff"}};
            e.settings = {{"model", model}, {"max_documents", "20"}};
            e.details = {{"mean_nll", 1.5}};
            e.date = r.date;
            e.seconds = 0.25;
            r.evaluations.push_back(e);
        }
    return r;
}

void compareLayers(const std::vector<CompressedLayer> &got, const std::vector<CompressedLayer> &want)
{
    QCOMPARE(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        QCOMPARE(got[i].name, want[i].name);
        QCOMPARE(got[i].rows, want[i].rows);
        QCOMPARE(got[i].cols, want[i].cols);
        QCOMPARE(got[i].rank, want[i].rank);
        QCOMPARE(got[i].dense, want[i].dense);
        QCOMPARE(got[i].singularValues, want[i].singularValues);
        QCOMPARE(got[i].gains, want[i].gains);
    }
}

void comparePasses(const PassRecord &got, const PassRecord &want)
{
    QCOMPARE(got.summary.method, want.summary.method);
    QCOMPARE(got.summary.targetRatio, want.summary.targetRatio);
    QCOMPARE(got.summary.ratio, want.summary.ratio);
    QCOMPARE(got.summary.parametersBefore, want.summary.parametersBefore);
    QCOMPARE(got.summary.parametersAfter, want.summary.parametersAfter);
    QCOMPARE(got.summary.parametersAdded, want.summary.parametersAdded);
    QCOMPARE(got.summary.decoderMacsBefore, want.summary.decoderMacsBefore);
    QCOMPARE(got.summary.decoderMacsAfter, want.summary.decoderMacsAfter);
    QCOMPARE(got.summary.seconds, want.summary.seconds);
    compareLayers(got.summary.layers, want.summary.layers);
    QCOMPARE(got.summary.spectrumOf, want.summary.spectrumOf);
    QCOMPARE(got.settings, want.settings);
    QCOMPARE(got.modelKind, want.modelKind);
    QCOMPARE(got.calibration, want.calibration);
    QCOMPARE(got.calibrationCount, want.calibrationCount);
    QCOMPARE(got.data.size(), want.data.size());
    for (size_t i = 0; i < got.data.size(); ++i) {
        QCOMPARE(got.data[i].role, want.data[i].role);
        QCOMPARE(got.data[i].path, want.data[i].path);
        QCOMPARE(got.data[i].bytes, want.data[i].bytes);
        QCOMPARE(got.data[i].contentHash, want.data[i].contentHash);
    }
    QCOMPARE(got.log.size(), want.log.size());
    for (size_t i = 0; i < got.log.size(); ++i) {
        QCOMPARE(got.log[i].step, want.log[i].step);
        QCOMPARE(got.log[i].steps, want.log[i].steps);
        QCOMPARE(got.log[i].stage, want.log[i].stage);
        QCOMPARE(got.log[i].values, want.log[i].values);
        QCOMPARE(got.log[i].counts, want.log[i].counts);
    }
    QCOMPARE(got.evaluations.size(), want.evaluations.size());
    for (size_t i = 0; i < got.evaluations.size(); ++i) {
        QCOMPARE(got.evaluations[i].value, want.evaluations[i].value);
        QCOMPARE(got.evaluations[i].count, want.evaluations[i].count);
        QCOMPARE(got.evaluations[i].settings, want.evaluations[i].settings);
        QCOMPARE(got.evaluations[i].details, want.evaluations[i].details);
        QCOMPARE(got.evaluations[i].data[0].path, want.evaluations[i].data[0].path);
    }
    QCOMPARE(got.exportPath, want.exportPath);
    QCOMPARE(got.exportFormat, want.exportFormat);
    QCOMPARE(got.date, want.date);
}

} // namespace

class TestPassRecords : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aPassComesBackAsItWasSaved()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        const PassRecord soco = makePass("soco", 1, true), svd = makePass("svd-llm", 2, false);
        Workspace w = Workspace::open(path, kModel);
        w.putPass(soco);
        w.putPass(svd);
        QCOMPARE(w.passes().size(), size_t(2)); // staged ones are listed too, without ids yet
        QVERIFY(w.passes()[0].id.empty());
        w.save();
        QCOMPARE(w.passes()[0].id, std::string("000001"));
        QCOMPARE(w.passes()[1].id, std::string("000002"));

        const std::vector<PassRecord> back = Workspace::open(path, kModel).passes();
        QCOMPARE(back.size(), size_t(2));
        QCOMPARE(back[0].id, std::string("000001"));
        comparePasses(back[0], soco);
        comparePasses(back[1], svd);
        QVERIFY(back[1].log.empty());
        QVERIFY(back[1].summary.layers[0].gains.empty());
    }

    void anExportRecordedLaterReplacesThePassInPlace()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        Workspace w = Workspace::open(path, kModel);
        w.putPass(makePass("svd", 1, false));
        w.putPass(makePass("soco", 2, true));
        w.save();

        // Another Workspace object saves a pass meanwhile …
        Workspace other = Workspace::open(path, kModel);
        other.putPass(makePass("asvd", 3, false));
        other.save();
        QCOMPARE(other.passes().back().id, std::string("000003"));

        // … and this one records an export of the first: it stays first, the third is kept.
        PassRecord exported = w.passes()[0];
        exported.exportPath = "/tmp/stories260K-svd-40";
        exported.exportFormat = "dense";
        w.putPass(exported);
        QCOMPARE(w.passes().size(), size_t(2));
        QCOMPARE(w.passes()[0].exportPath, exported.exportPath);
        w.save();
        const std::vector<PassRecord> back = Workspace::open(path, kModel).passes();
        QCOMPARE(back.size(), size_t(3));
        comparePasses(back[0], exported);
        QCOMPARE(back[0].id, std::string("000001"));
        QCOMPARE(back[1].summary.method, std::string("soco"));
        QCOMPARE(back[2].summary.method, std::string("asvd"));
    }

    void anotherVersionsGroupIsNeitherReadNorLost()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        Workspace w = Workspace::open(path, kModel);
        w.putPass(makePass("svd", 1, false));
        w.save();
        {
            const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
            const hid_t passes = H5Gopen2(file, "passes", H5P_DEFAULT);
            const hid_t future = H5Gcreate2(passes, "future-pass", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            QVERIFY(file >= 0 && passes >= 0 && future >= 0);
            H5Gclose(future);
            H5Gclose(passes);
            H5Fclose(file);
        }
        Workspace again = Workspace::open(path, kModel);
        QCOMPARE(again.passes().size(), size_t(1));
        again.putPass(makePass("soco", 2, true));
        again.save();
        QCOMPARE(again.passes().back().id, std::string("000002"));
        const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        QVERIFY(H5Lexists(file, "passes/future-pass", H5P_DEFAULT) > 0);
        H5Fclose(file);
    }

    // Workspace version 1 kept SoCo's fields as columns and the calibration as documents: such a
    // pass reads as the named values and counts version 2 writes.
    void aVersion1PassReadsAsNamedValues()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        Workspace w = Workspace::open(path, kModel);
        const PassRecord written = makePass("soco", 1, true, 3);
        w.putPass(written);
        w.save();
        {
            const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
            const hid_t pass = H5Gopen2(file, "passes/000001", H5P_DEFAULT);
            QVERIFY(H5Adelete(pass, "calibration") >= 0 && H5Adelete(pass, "calibration_count") >= 0);
            const int64_t documents = 8;
            const hid_t scalar = H5Screate(H5S_SCALAR);
            const hid_t attribute = H5Acreate2(pass, "calibration_documents", H5T_STD_I64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
            H5Awrite(attribute, H5T_NATIVE_INT64, &documents);
            H5Aclose(attribute);
            H5Sclose(scalar);
            QVERIFY(H5Ldelete(pass, "log", H5P_DEFAULT) >= 0);
            const hid_t log = H5Gcreate2(pass, "log", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            const auto column = [&](const char *name, hid_t type, const void *values, std::vector<hsize_t> dims) {
                const hid_t space = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
                const hid_t data = H5Dcreate2(log, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
                H5Dwrite(data, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
                H5Dclose(data);
                H5Sclose(space);
            };
            const int64_t step[] = {1, 2}, stage[] = {1, 3}, active[] = {5, 6, 7, 4, 5, 6};
            const double loss[] = {2.5, 1.5}, kl[] = {0.5, 0.25}, ratio[] = {0.1, 0.4};
            column("step", H5T_NATIVE_INT64, step, {2});
            column("stage", H5T_NATIVE_INT64, stage, {2});
            column("loss", H5T_NATIVE_DOUBLE, loss, {2});
            column("kl", H5T_NATIVE_DOUBLE, kl, {2});
            column("ratio", H5T_NATIVE_DOUBLE, ratio, {2});
            column("active", H5T_NATIVE_INT64, active, {2, 3});
            H5Gclose(log);
            H5Gclose(pass);
            H5Fclose(file);
        }
        const PassRecord read = Workspace::open(path, kModel).passes().at(0);
        QCOMPARE(read.calibration, std::string("text"));
        QCOMPARE(read.calibrationCount, 8L);
        QCOMPARE(read.log.size(), size_t(2));
        QCOMPARE(read.log[1].stage, std::string("3"));
        QCOMPARE(read.log[1].value("loss"), 1.5);
        QCOMPARE(read.log[1].value("kl"), 0.25);
        QCOMPARE(read.log[1].value("ratio"), 0.4);
        QCOMPARE(*read.log[1].count("active"), (std::vector<int64_t>{4, 5, 6}));
    }

    void aLogWithUnevenLayerCountsIsRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        PassRecord bad = makePass("soco", 1, true);
        bad.log[3].counts[0].second.pop_back();
        Workspace w = Workspace::open(path, kModel);
        w.putPass(bad);
        QVERIFY_THROWS_EXCEPTION(FileError, w.save());
        QVERIFY(!QFileInfo::exists(dir.filePath("w.h5"))); // nothing half-written
    }
};

QTEST_GUILESS_MAIN(TestPassRecords)
#include "test_pass_records.moc"
