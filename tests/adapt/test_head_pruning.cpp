// Removing attention heads for good, on the bundled ViT: the smaller model computes what the
// masked one did, its Hugging Face folder (pruned_heads) reads back as it was written, the
// saving is the heads' own parameters and products, and a refused removal changes nothing.

#include "adapt/adapters.h"
#include "adapt/head_pruning.h"
#include "adapt/head_scoring.h"
#include "io/error.h"
#include "io/formats.h"
#include "runtime/hf_export.h"
#include "runtime/model_family.h"

#include <QtTest>

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace sculpt;

namespace {

const std::string kVit = SCULPT_MODELS_DIR "/fashion-vit";
const std::string kLlama = SCULPT_MODELS_DIR "/fortunes-llama";

std::unique_ptr<VisionModel> load(const std::string &folder = kVit)
{
    return std::unique_ptr<VisionModel>(static_cast<VisionModel *>(loadModel(*openCheckpoint(folder), torch::kCPU).release()));
}

torch::Tensor images()
{
    torch::manual_seed(7);
    return torch::randn({16, 1, 28, 28});
}

torch::Tensor logits(Model &model)
{
    torch::NoGradGuard noGrad;
    return model.forward(ModelInput::ofPixels(images())).logits;
}

// Heads of fashion-vit (4 layers × 4 heads) to remove: one, two, none and all of a layer.
const std::vector<LayerHead> kGoing{{0, 1}, {1, 0}, {1, 3}, {3, 0}, {3, 1}, {3, 2}, {3, 3}};

std::vector<int64_t> headCounts(Model &model)
{
    std::vector<int64_t> counts;
    for (const AttentionSite &site : model.attentionSites())
        counts.push_back(site.heads);
    return counts;
}

nlohmann::json readJson(const QString &path)
{
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in);
}

void writeConfigWithPrunedHeads(const QString &folder, const nlohmann::json &pruned)
{
    QVERIFY(QFile::copy(QString::fromStdString(kVit + "/model.safetensors"), folder + "/model.safetensors"));
    nlohmann::json config = readJson(QString::fromStdString(kVit + "/config.json"));
    config["pruned_heads"] = pruned;
    std::ofstream(folder.toStdString() + "/config.json") << config.dump(2);
}

} // namespace

class TestHeadPruning : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void removingHeadsEqualsMaskingThem()
    {
        auto masked = load();
        maskHeads(*masked, kGoing);
        auto pruned = load();
        pruneHeads(*pruned, kGoing);
        QCOMPARE(headCounts(*pruned), (std::vector<int64_t>{3, 2, 4, 0}));
        const torch::Tensor expected = logits(*masked), got = logits(*pruned);
        QVERIFY2(torch::allclose(got, expected, 1e-5, 1e-5),
                 qPrintable(QString::number((got - expected).abs().max().item<double>())));
        // Not trivially: the removed heads mattered.
        QVERIFY((logits(*load()) - expected).abs().max().item<double>() > 1e-2);
    }

    void theSavingIsTheHeadsOwnShare()
    {
        auto model = load();
        const HeadPruning p = pruneHeads(*model, kGoing);
        const int64_t dim = 64, headDim = 16, tokens = 17, heads = int64_t(kGoing.size());
        // q, k and v rows with their biases, and the output projection's columns.
        QCOMPARE(p.before.parameters - p.after.parameters, heads * (4 * dim * headDim + 3 * headDim));
        QCOMPARE(p.before.multiplyAdds - p.after.multiplyAdds,
                 heads * (tokens * 4 * dim * headDim + 2 * tokens * tokens * headDim));
        QCOMPARE(p.after.parameters, forwardCost(*model).parameters);
        QCOMPARE(p.before.parameters, int64_t(139018));
    }

    void thePrunedFolderReadsBackAsWritten()
    {
        auto model = load();
        pruneHeads(*model, kGoing);
        QTemporaryDir dir;
        const QString folder = dir.path() + "/pruned";
        writeHfFolder(*model, folder.toStdString(), /*factorized=*/false);
        const nlohmann::json config = readJson(folder + "/config.json");
        QCOMPARE(config["pruned_heads"],
                 (nlohmann::json{{"0", {1}}, {"1", {0, 3}}, {"3", {0, 1, 2, 3}}}));
        QCOMPARE(config["num_attention_heads"].get<int>(), 4);
        auto back = load(folder.toStdString());
        QCOMPARE(headCounts(*back), (std::vector<int64_t>{3, 2, 4, 0}));
        QVERIFY(torch::equal(logits(*back), logits(*model)));
        const auto checkpoint = openCheckpoint(folder.toStdString());
        QCOMPARE(checkpoint->find("vit.encoder.layer.1.attention.attention.query.weight")->shape,
                 (std::vector<int64_t>{32, 64}));
        QCOMPARE(checkpoint->find("vit.encoder.layer.1.attention.output.dense.weight")->shape,
                 (std::vector<int64_t>{64, 32}));
    }

    void aSecondRemovalKeepsTheOriginalNumbers()
    {
        auto model = load();
        pruneHeads(*model, {{2, 0}});
        pruneHeads(*model, {{2, 1}}); // now numbered 1: the model's head 2
        auto once = load();
        pruneHeads(*once, {{2, 0}, {2, 2}});
        QVERIFY(torch::equal(logits(*model), logits(*once)));
        QTemporaryDir dir;
        writeHfFolder(*model, (dir.path() + "/twice").toStdString(), false);
        QCOMPARE(readJson(dir.path() + "/twice/config.json")["pruned_heads"], (nlohmann::json{{"2", {0, 2}}}));
    }

    void aRefusedRemovalChangesNothing()
    {
        auto model = load();
        const torch::Tensor before = logits(*model);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pruneHeads(*model, {{0, 1}, {1, 4}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pruneHeads(*model, {{0, 1}, {7, 0}}));
        torch::manual_seed(0);
        attachAdapters(*model, {}); // LoRA on q and v of every layer
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pruneHeads(*model, {{0, 1}}));
        QCOMPARE(headCounts(*model), (std::vector<int64_t>{4, 4, 4, 4}));
        QVERIFY(torch::equal(logits(*model), before));
    }

    void aLanguageModelSaysItCannot()
    {
        auto model = loadModel(*openCheckpoint(kLlama), torch::kCPU);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, model->removeHeads(0, {1}));
    }

    void badPrunedHeadsAreOneLine_data()
    {
        QTest::addColumn<QString>("pruned");
        QTest::addColumn<QString>("says");
        QTest::newRow("not an object") << R"([1, 2])" << "is not an object";
        QTest::newRow("no such layer") << R"({"4": [0]})" << "names layer '4'";
        QTest::newRow("not a number") << R"({"x": [0]})" << "names layer 'x'";
        QTest::newRow("no such head") << R"({"0": [4]})" << "names a head outside 0…3";
        QTest::newRow("not a list") << R"({"0": 1})" << "is not a list of heads";
    }
    void badPrunedHeadsAreOneLine()
    {
        QFETCH(QString, pruned);
        QFETCH(QString, says);
        QTemporaryDir dir;
        writeConfigWithPrunedHeads(dir.path(), nlohmann::json::parse(pruned.toStdString()));
        try {
            load(dir.path().toStdString());
            QFAIL("loaded");
        } catch (const FileError &e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.contains("pruned_heads") && what.contains(says) && !what.contains('\n'), qPrintable(what));
        }
    }

    void prunedHeadsThatTheWeightsStillHoldAreRefused()
    {
        // config.json says a head went, the weights still have its rows: a shape error, not a
        // silently misread model.
        QTemporaryDir dir;
        writeConfigWithPrunedHeads(dir.path(), nlohmann::json{{"0", {1}}});
        QVERIFY_THROWS_EXCEPTION(FileError, load(dir.path().toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestHeadPruning)
#include "test_head_pruning.moc"
