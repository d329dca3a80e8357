// Exact and randomized spectra against LAPACK's float64 SVD, and the whole-model job:
// streaming, skipping with reasons, workspace reuse, cancelling.

#include "analysis/content_hash.h"
#include "analysis/exact_spectrum.h"
#include "analysis/lapack.h"
#include "analysis/randomized_svd.h"
#include "analysis/spectra_job.h"
#include "io/formats.h"
#include "io/safetensors.h"
#include "model/inventory.h"
#include "reference_svd.h"
#include "tensor_files.h"
#include "workspace/workspace.h"

#include <QTemporaryDir>
#include <cmath>
#include <random>

using namespace sculpt;

namespace {

std::vector<float> gaussianMatrix(int rows, int cols, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal;
    std::vector<float> w(size_t(rows) * cols);
    for (float &v : w)
        v = normal(rng);
    return w;
}

// Rank-r structure with singular values spread over four decades, plus small noise: the
// small σ are where a float32 Gram matrix would fail.
std::vector<float> lowRankPlusNoise(int rows, int cols, int rank, uint64_t seed)
{
    const auto a = gaussianMatrix(rows, rank, seed), b = gaussianMatrix(rank, cols, seed + 1);
    auto w = gaussianMatrix(rows, cols, seed + 2);
    for (float &v : w)
        v *= 1e-4f;
    for (int i = 0; i < rows; ++i)
        for (int r = 0; r < rank; ++r) {
            const float scale = std::pow(10.0f, -4.0f * float(r) / float(rank));
            for (int j = 0; j < cols; ++j)
                w[size_t(i) * cols + j] += scale * a[size_t(i) * rank + r] * b[size_t(r) * cols + j];
        }
    return w;
}

// The accuracy bar: relative error ≤ 1e-4 for every σ ≥ 1e-3·σ_max.
double worstRelativeError(const std::vector<double> &got, const std::vector<double> &want)
{
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i)
        if (want[i] >= 1e-3 * want[0])
            worst = std::max(worst, std::abs(got[i] - want[i]) / want[i]);
    return worst;
}

// A safetensors model of float32 matrices (and one norm vector) the job tests can edit.
QString writeModel(const QTemporaryDir &dir, float firstEntry = 0.5f)
{
    std::vector<test::Tensor> tensors;
    for (int l = 0; l < 3; ++l) {
        auto w = gaussianMatrix(48, 32, uint64_t(l));
        if (l == 0)
            w[0] = firstEntry;
        QByteArray bytes(reinterpret_cast<const char *>(w.data()), qsizetype(w.size() * 4));
        tensors.push_back({"layers." + std::to_string(l) + ".mlp.up_proj.weight", DType::F32, {48, 32}, bytes});
    }
    tensors.push_back({"layers.0.input_layernorm.weight", DType::F32, {2}, test::raw<float>({1, 1})});
    const QString path = dir.filePath("model.safetensors");
    test::writeTensors(path, tensors);
    return path;
}

// The outcome for layer l's matrix, or the norm for l < 0 (the writer orders tensors by name).
const SpectrumOutcome &layer(const std::vector<SpectrumOutcome> &outcomes, int l)
{
    const std::string name = l < 0 ? "layers.0.input_layernorm.weight" : "layers." + std::to_string(l) + ".mlp.up_proj.weight";
    for (const auto &o : outcomes)
        if (o.name == name)
            return o;
    throw std::runtime_error("no outcome for " + name);
}

std::vector<SpectrumOutcome> run(const QString &modelPath, Workspace *workspace, const SpectraOptions &options = {},
                                 const JobContext &job = {})
{
    const auto model = openCheckpoint(modelPath.toStdString());
    return computeSpectra(*model, buildInventory(*model), options, workspace, job);
}

} // namespace

class TestSpectra : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exactMeetsTheAccuracyBar_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<bool>("lowRank");
        QTest::newRow("gaussian tall") << 300 << 200 << false;
        QTest::newRow("gaussian wide") << 200 << 300 << false;
        QTest::newRow("low rank + noise") << 256 << 256 << true;
        QTest::newRow("tall, several row blocks") << 20000 << 64 << false;
        QTest::newRow("wide, several column blocks") << 64 << 20000 << true;
    }
    void exactMeetsTheAccuracyBar()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(bool, lowRank);
        const auto w = lowRank ? lowRankPlusNoise(rows, cols, 40, 7) : gaussianMatrix(rows, cols, 3);
        const auto got = exactSingularValues(w.data(), rows, cols);
        const auto want = referenceSingularValues(w, rows, cols);
        QCOMPARE(got.size(), want.size());
        QVERIFY(std::is_sorted(got.rbegin(), got.rend()));
        const double error = worstRelativeError(got, want);
        QVERIFY2(error <= 1e-4, qPrintable(QString("worst relative error %1").arg(error)));
        // The float64 Gram keeps far more than the bar asks; a float32 one would not.
        QVERIFY2(error <= 1e-8, qPrintable(QString("worst relative error %1").arg(error)));
    }

    void exactStopsWhenCancelled()
    {
        const auto w = gaussianMatrix(20000, 64, 1);
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(Cancelled, exactSingularValues(w.data(), 20000, 64, JobContext({}, &cancel)));
    }

    void randomizedCapturesALowRankMatrix()
    {
        const int rows = 500, cols = 400, k = 20;
        const auto w = lowRankPlusNoise(rows, cols, k, 11);
        const auto exact = referenceSingularValues(w, rows, cols);
        RandomizedOptions options;
        options.powerIterations = 2;
        const TopSpectrum top = randomizedSingularValues(w.data(), rows, cols, k, options);
        QCOMPARE(top.values.size(), size_t(k));
        // Projection never grows singular values, and it loses at most ‖W − QQᵀW‖.
        const double slack = top.relativeErrorBound * exact[0];
        for (int i = 0; i < k; ++i) {
            QVERIFY(top.values[size_t(i)] <= exact[size_t(i)] * (1 + 1e-5));
            QVERIFY(exact[size_t(i)] - top.values[size_t(i)] <= slack + 1e-5 * exact[0]);
        }
        QVERIFY2(top.relativeErrorBound < 1e-2, qPrintable(QString::number(top.relativeErrorBound)));
        QVERIFY(worstRelativeError(top.values, {exact.begin(), exact.begin() + k}) < 1e-3);
    }

    void randomizedBoundHoldsOnAFlatSpectrum()
    {
        // Nothing to capture: the bound must say so rather than claim accuracy.
        const auto w = gaussianMatrix(300, 300, 5);
        const auto exact = referenceSingularValues(w, 300, 300);
        const TopSpectrum top = randomizedSingularValues(w.data(), 300, 300, 10);
        QVERIFY(top.relativeErrorBound * exact[0] >= exact[10]); // ‖W − QQᵀW‖ ≥ σ_{k+1}
    }

    void jobSkipsWithReasonsAndReusesTheWorkspace()
    {
        QTemporaryDir dir;
        const QString modelPath = writeModel(dir);
        const auto model = openCheckpoint(modelPath.toStdString());
        const ModelIdentity identity{modelPath.toStdString(), modelFingerprint(*model)};
        const std::string wsPath = dir.filePath("ws.h5").toStdString();

        auto workspace = Workspace::open(wsPath, identity);
        const auto first = run(modelPath, &workspace);
        QCOMPARE(first.size(), size_t(4));
        QCOMPARE(layer(first, -1).skipped, std::string("1-D tensor"));
        for (int l = 0; l < 3; ++l) {
            QVERIFY(layer(first, l).spectrum);
            QVERIFY(!layer(first, l).reused);
            QCOMPARE(layer(first, l).spectrum->singularValues.size(), size_t(32));
        }
        workspace.save();

        auto reopened = Workspace::open(wsPath, identity);
        const auto second = run(modelPath, &reopened);
        for (int l = 0; l < 3; ++l) {
            QVERIFY(layer(second, l).reused);
            QCOMPARE(layer(second, l).spectrum->singularValues, layer(first, l).spectrum->singularValues);
        }

        // Change one entry of layer 0: only that matrix is computed again.
        writeModel(dir, 7.0f);
        auto third = Workspace::open(wsPath, identity);
        const auto changed = run(modelPath, &third);
        QVERIFY(!layer(changed, 0).reused);
        QVERIFY(layer(changed, 0).spectrum->singularValues != layer(first, 0).spectrum->singularValues);
        QVERIFY(layer(changed, 1).reused && layer(changed, 2).reused);
    }

    void eachMatrixIsReportedAsItIsDone()
    {
        QTemporaryDir dir;
        const QString modelPath = writeModel(dir, std::nanf(""));
        const auto model = openCheckpoint(modelPath.toStdString());
        auto workspace = Workspace::open(dir.filePath("ws.h5").toStdString(), {modelPath.toStdString(), modelFingerprint(*model)});
        std::vector<SpectrumOutcome> live;
        SpectraOptions options;
        options.onOutcome = [&](const SpectrumOutcome &o) { live.push_back(o); }; // called under the job's lock
        const auto first = run(modelPath, &workspace, options);
        QCOMPARE(live.size(), size_t(3)); // the matrices, not the 1-D norm
        QVERIFY(!layer(live, 0).spectrum && !layer(live, 0).skipped.empty()); // skipped: NaN
        QCOMPARE(layer(live, 1).spectrum->singularValues, layer(first, 1).spectrum->singularValues);

        live.clear();
        run(modelPath, &workspace, options);
        QCOMPARE(live.size(), size_t(3));
        QVERIFY(layer(live, 1).reused && layer(live, 2).reused);
    }

    void nonFiniteTensorIsReportedAndTheRestAnalysed()
    {
        QTemporaryDir dir;
        const QString modelPath = writeModel(dir, std::nanf(""));
        const auto outcomes = run(modelPath, nullptr);
        QVERIFY(!layer(outcomes, 0).spectrum);
        QCOMPARE(layer(outcomes, 0).skipped, std::string("1 non-finite entries (NaN or Inf)"));
        QVERIFY(layer(outcomes, 1).spectrum && layer(outcomes, 2).spectrum);
    }

    void matchSelectsTensors()
    {
        QTemporaryDir dir;
        SpectraOptions options;
        options.match = "layers\\.[12]\\.";
        const auto outcomes = run(writeModel(dir), nullptr, options);
        QCOMPARE(outcomes.size(), size_t(2));
        QCOMPARE(outcomes[0].name, std::string("layers.1.mlp.up_proj.weight"));
    }

    void topKIsStoredUnderItsOwnMethod()
    {
        QTemporaryDir dir;
        SpectraOptions options;
        options.topK = 5;
        const auto outcomes = run(writeModel(dir), nullptr, options);
        const auto &spectrum = *layer(outcomes, 0).spectrum;
        QCOMPARE(spectrum.method, std::string("top5"));
        QCOMPARE(spectrum.singularValues.size(), size_t(5));
        QVERIFY(std::isnan(spectrum.metrics.effectiveRank)); // needs the whole spectrum
    }

    void cancelledJobKeepsFinishedSpectra()
    {
        QTemporaryDir dir;
        const QString modelPath = writeModel(dir);
        const auto model = openCheckpoint(modelPath.toStdString());
        auto workspace = Workspace::open(dir.filePath("ws.h5").toStdString(), {modelPath.toStdString(), modelFingerprint(*model)});
        std::atomic<bool> cancel{false};
        SpectraOptions options;
        options.workers = 1;
        const JobContext job([&](const Progress &p) { cancel = p.done >= 1; }, &cancel);
        QVERIFY_THROWS_EXCEPTION(Cancelled, run(modelPath, &workspace, options, job));
        QCOMPARE(workspace.tensors().size(), size_t(1));
    }

    void realModelSpectra()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const auto outcomes = run(path, nullptr);
        long analysed = 0, skipped = 0;
        for (const auto &o : outcomes) {
            (o.spectrum ? analysed : skipped)++;
            if (o.spectrum) {
                const auto &m = o.spectrum->metrics;
                QVERIFY(m.stableRank >= 1 && m.stableRank <= double(o.spectrum->singularValues.size()));
                QVERIFY(m.rank90 <= m.rank95 && m.rank95 <= m.rank99);
            }
        }
        QCOMPARE(analysed, 5L * 7 + 2); // q k v o gate up down per layer, embedding, classifier
        QCOMPARE(skipped, 5L * 2 + 1);  // the RMSNorm weights
    }
};

QTEST_APPLESS_MAIN(TestSpectra)
#include "test_spectra.moc"
