// Every bundled pass on the bundled language model (fortunes-llama, calibrated on the end of its
// held-out fortunes): the ratio it reaches, what it does to the model, SoCo's learned spectrum,
// the exported checkpoints (same logits after reopening, sizes that follow the ratio, original
// names in the dense form), and bad requests.

#include "builtin_passes.h"
#include "compress/pass.h"
#include "io/error.h"
#include "io/formats.h"
#include "runtime/language_model.h"
#include "runtime/perplexity.h"
#include "runtime/tokenizer.h"
#include "test_files.h"

#include <QTemporaryDir>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

using namespace sculpt;

namespace {

const std::vector<int32_t> kTokens{1, 403, 407, 261, 378, 11, 45, 300, 7, 129, 1011, 2, 96, 403, 260, 4, 17, 333};

const QString kModel = QStringLiteral(SCULPT_MODELS_DIR "/fortunes-llama");

struct Demo {
    std::unique_ptr<Checkpoint> checkpoint;
    std::shared_ptr<const Tokenizer> tokenizer;
    std::string text;
    std::string tokenizerPath;
};

Demo demo()
{
    QFile f(kModel + "/heldout.txt");
    f.open(QIODevice::ReadOnly);
    const std::string tokenizer = (kModel + "/tokenizer.model").toStdString();
    return {openCheckpoint(kModel.toStdString()), openTokenizer(tokenizer), f.readAll().toStdString(), tokenizer};
}

CompressedModel run(const char *method, const Demo &s, const CompressionRequest &r, const JobContext &job = {})
{
    return runPass(*findPass(method), *s.checkpoint, {}, r, job);
}

CompressionRequest request(const Demo &s, double ratio, long documents = 16)
{
    CompressionRequest r;
    r.ratio = ratio;
    r.calibration.text = s.text;
    r.calibration.tokenizer = s.tokenizer;
    r.calibration.count = documents;
    return r;
}

// A short SoCo schedule: the same three stages, in seconds.
CompressionRequest quickSoco(const Demo &s, double ratio)
{
    CompressionRequest r = request(s, ratio, 64);
    r.settings = {{"coarse_steps", 60}, {"refine_steps", 60}, {"sparsify_steps", 20}, {"batches_per_step", 2}};
    return r;
}

double maxAbsDiff(const std::vector<float> &a, const std::vector<float> &b)
{
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, double(std::abs(a[i] - b[i])));
    return worst;
}

double evalPerplexity(const LanguageModel &model, const Demo &s)
{
    return perplexity(model, *s.tokenizer, s.text, 20).perplexity();
}

} // namespace

class TestPasses : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { registerBuiltinPasses(); }

    void everyMethodIsRegistered()
    {
        for (const char *name : {"svd", "fwsvd", "asvd", "svd-llm", "soco", "himix"})
            QVERIFY2(findPass(name), name);
        QCOMPARE(passes().size(), size_t(6));
    }

    void uniformPassesReachTheRatio_data()
    {
        QTest::addColumn<QString>("method");
        for (const char *m : {"svd", "fwsvd", "asvd", "svd-llm"})
            QTest::newRow(m) << m;
    }
    void uniformPassesReachTheRatio()
    {
        QFETCH(QString, method);
        const Demo s = demo();
        const auto dense = LanguageModel::load(*s.checkpoint);
        const double densePerplexity = evalPerplexity(*dense, s);
        const CompressedModel c = run(method.toStdString().c_str(), s, request(s, 0.4));
        const CompressionSummary &sum = c.summary();
        QCOMPARE(sum.method, method.toStdString());
        QCOMPARE(sum.layers.size(), size_t(28)); // 4 blocks × q, k, v, o, gate, up, down
        QVERIFY(sum.ratio >= 0.4 && sum.ratio < 0.5);
        QCOMPARE(sum.parametersBefore, int64_t(935040));
        QVERIFY(sum.parametersAfter < sum.parametersBefore);
        for (const CompressedLayer &l : sum.layers) // the same ratio in every layer
            QVERIFY2(!l.dense && l.rank * (l.rows + l.cols) <= 0.6 * double(l.rows * l.cols), l.name.c_str());
        const double p = evalPerplexity(*c.languageModel(), s);
        QVERIFY2(std::isfinite(p) && p > densePerplexity, qPrintable(QString::number(p)));
    }

    void whiteningBeatsPlainTruncationOnTheModel()
    {
        // SVD-LLM minimises each layer's output error on the calibration activations; on the
        // whole model that should show as a lower perplexity than plain SVD's — given enough
        // calibration tokens for the input covariance: 16 fortunes (about 1,000 tokens for inputs
        // 352 wide) are too few here, and SVD-LLM then loses to SVD (78.6 against 66.0).
        const Demo s = demo();
        const double plain = evalPerplexity(*run("svd", s, request(s, 0.4)).languageModel(), s);
        const double whitened = evalPerplexity(*run("svd-llm", s, request(s, 0.4, 128)).languageModel(), s);
        QVERIFY2(whitened < plain, qPrintable(QString("svd-llm %1, svd %2").arg(whitened).arg(plain)));
    }

    void socoLearnsItsOwnRanks()
    {
        const Demo s = demo();
        std::vector<TrainingStep> log;
        CompressionRequest r = quickSoco(s, 0.4);
        r.onStep = [&log](const TrainingStep &step) { log.push_back(step); };
        const CompressedModel c = run("soco", s, r);
        const CompressionSummary &sum = c.summary();
        QCOMPARE(log.size(), size_t(140));
        QCOMPARE(log.front().stage, std::string("coarse"));
        QCOMPARE(log[60].stage, std::string("refine"));
        QCOMPARE(log.back().stage, std::string("sparsify"));
        QCOMPARE(log.back().count("active")->size(), size_t(28));
        // The mask meets the target, or overshoots it a little when stages 1 and 2 left fewer
        // live components than the target allows (on this model, about 1.5 points).
        QVERIFY2(sum.ratio >= 0.4 && sum.ratio < 0.43, qPrintable(QString::number(sum.ratio)));
        QCOMPARE(log.back().value("ratio"), sum.ratio);
        QCOMPARE(sum.spectrumOf, std::string("W·S"));
        std::set<int64_t> ranks;
        bool amplified = false, outOfOrder = false;
        for (const CompressedLayer &l : sum.layers) {
            ranks.insert(l.rank);
            QCOMPARE(l.gains.size(), l.singularValues.size());
            amplified = amplified || *std::max_element(l.gains.begin(), l.gains.end()) > 1;
            // A pruned component (g = 0) before a kept one in σ order.
            for (size_t i = 1; i < l.gains.size(); ++i)
                outOfOrder = outOfOrder || (l.gains[i - 1] == 0 && l.gains[i] > 0);
            QCOMPARE(int64_t(std::count_if(l.gains.begin(), l.gains.end(), [](float g) { return g > 0; })), l.rank);
        }
        QVERIFY2(ranks.size() > 3, "SoCo's ranks should differ across layers");
        QVERIFY2(amplified, "no kept component was amplified");
        QVERIFY2(outOfOrder, "SoCo pruned in σ order everywhere");
        QVERIFY(std::isfinite(evalPerplexity(*c.languageModel(), s)));
    }

    void exportsReopenWithTheSameLogits()
    {
        const Demo s = demo();
        const CompressedModel c = run("svd-llm", s, request(s, 0.6));
        const std::vector<float> expected = c.languageModel()->logits(kTokens);
        QTemporaryDir dir;
        const std::string factorized = dir.filePath("factorized").toStdString(), dense = dir.filePath("dense").toStdString();
        c.write(factorized, ExportFormat::Factorized, s.tokenizerPath);
        c.write(dense, ExportFormat::Dense, s.tokenizerPath);
        for (const std::string &folder : {factorized, dense}) {
            const auto reopened = LanguageModel::load(*openCheckpoint(folder));
            const double diff = maxAbsDiff(reopened->logits(kTokens), expected);
            QVERIFY2(diff < 1e-3, qPrintable(QString::fromStdString(folder) + ": " + QString::number(diff)));
            QVERIFY(!findTokenizer(folder, 1024).empty());
        }
        // The factorized file shrinks with the ratio; the dense one keeps the original names.
        namespace fs = std::filesystem;
        const double f = double(fs::file_size(factorized + "/model.safetensors"));
        const double d = double(fs::file_size(dense + "/model.safetensors"));
        QVERIFY2(std::abs(f / d - double(c.summary().parametersAfter) / double(c.summary().parametersBefore)) < 0.02,
                 qPrintable(QString("%1 / %2").arg(f).arg(d)));
        const auto denseCheckpoint = openCheckpoint(dense);
        QVERIFY(denseCheckpoint->find("model.layers.0.self_attn.q_proj.weight"));
        QVERIFY(!denseCheckpoint->find("model.layers.0.self_attn.q_proj.weight_a"));
        QVERIFY(openCheckpoint(factorized)->find("model.layers.0.self_attn.q_proj.weight_a"));
    }

    void cancelledExportLeavesNothing()
    {
        const Demo s = demo();
        const CompressedModel c = run("svd", s, request(s, 0.4));
        QTemporaryDir dir;
        const std::atomic<bool> cancel{true};
        const std::string out = dir.filePath("out").toStdString();
        QVERIFY_THROWS_EXCEPTION(Cancelled, c.write(out, ExportFormat::Factorized, {}, JobContext({}, &cancel)));
        QVERIFY(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());
    }

    void cancelledPassThrows()
    {
        const Demo s = demo();
        const std::atomic<bool> cancel{true};
        for (const char *m : {"svd", "svd-llm", "soco"}) {
            const CompressionRequest r = std::string(m) == "soco" ? quickSoco(s, 0.4) : request(s, 0.4);
            QVERIFY_THROWS_EXCEPTION(Cancelled,
                                     run(m, s, r, JobContext({}, &cancel)));
        }
    }

    void aFolderThatIsNotAnExportIsNotOverwritten()
    {
        const Demo s = demo();
        const CompressedModel c = run("svd", s, request(s, 0.2));
        QTemporaryDir dir;
        sculpt::test::writeFile(dir.filePath("notes.txt"), "mine");
        QVERIFY_THROWS_EXCEPTION(FileError, c.write(dir.path().toStdString(), ExportFormat::Dense));
        QVERIFY(QFile::exists(dir.filePath("notes.txt")));
        // An earlier export is replaced.
        const std::string out = dir.filePath("export").toStdString();
        c.write(out, ExportFormat::Dense);
        c.write(out, ExportFormat::Factorized);
        QVERIFY(openCheckpoint(out)->find("model.layers.0.mlp.up_proj.weight_a"));
    }

    void badRequestsAreRefused()
    {
        const Demo s = demo();
        CompressionRequest noText = request(s, 0.4);
        noText.calibration.text.clear();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run("asvd", s, noText));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 run("svd", s, request(s, 1.0)));
        CompressionRequest unknown = request(s, 0.4);
        unknown.settings["alfa"] = 1;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run("asvd", s, unknown));
    }
};

QTEST_APPLESS_MAIN(TestPasses)
#include "test_passes.moc"
