// A model's spectra dealt into shards for a job array: every matrix in exactly one shard, the
// same deal whatever order the matrices come in, costs within the greedy bound, more shards
// than matrices, refusals; on made-up shapes and on the bundled models' (stories260K's from
// ../shared when present).

#include "analysis/spectra_job.h"
#include "analysis/spectrum_shards.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "model/inventory.h"
#include "test_files.h"

#include <QtTest>

#include <algorithm>
#include <climits>
#include <map>
#include <random>
#include <stdexcept>

using namespace sculpt;

namespace {

const QString kModels = QStringLiteral(SCULPT_MODELS_DIR);

// Shapes from a fixed seed: mt19937's raw output is the same everywhere (its distributions are not).
std::vector<NamedMatrix> madeUpMatrices(size_t count)
{
    std::mt19937 rng(7);
    std::vector<NamedMatrix> matrices;
    for (size_t i = 0; i < count; ++i)
        matrices.push_back({"m" + std::to_string(i), {int64_t(1 + rng() % 4096), int64_t(1 + rng() % 4096)}});
    return matrices;
}

std::vector<NamedMatrix> modelMatrices(const QString &path)
{
    const auto checkpoint = openCheckpoint(path.toStdString());
    return spectraMatrices(buildInventory(*checkpoint), "");
}

// Every matrix in exactly one shard, each shard's cost its matrices' sum, and no shard above
// the mean plus the costliest matrix (what greedy longest-first guarantees).
void checkDeal(const std::vector<NamedMatrix> &matrices, const std::vector<SpectrumShard> &shards, int count)
{
    QCOMPARE(shards.size(), size_t(count));
    std::map<std::string, double> costOf;
    double total = 0, largest = 0;
    for (const NamedMatrix &m : matrices) {
        costOf[m.name] = spectrumCost(m.shape);
        total += spectrumCost(m.shape);
        largest = std::max(largest, spectrumCost(m.shape));
    }
    std::map<std::string, int> seen;
    for (const SpectrumShard &shard : shards) {
        double sum = 0;
        for (const std::string &name : shard.matrices) {
            QVERIFY2(costOf.contains(name), name.c_str());
            ++seen[name];
            sum += costOf[name];
        }
        QCOMPARE(shard.cost, sum);
        QVERIFY2(shard.cost <= total / count + largest,
                 qPrintable(QString("a shard costs %1, the mean %2").arg(shard.cost).arg(total / count)));
    }
    QCOMPARE(seen.size(), costOf.size());
    for (const auto &[name, times] : seen)
        QVERIFY2(times == 1, name.c_str());
}

bool sameDeal(const std::vector<SpectrumShard> &a, const std::vector<SpectrumShard> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const SpectrumShard &x, const SpectrumShard &y) {
        return x.matrices == y.matrices && x.cost == y.cost;
    });
}

} // namespace

class TestSpectrumShards : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void costIsTheGramProducts()
    {
        QCOMPARE(spectrumCost({4096, 11008}), 4096.0 * 11008 * 4096);
        QCOMPARE(spectrumCost({11008, 4096}), 4096.0 * 11008 * 4096);
    }

    void dealsEveryMatrixOnce_data()
    {
        QTest::addColumn<QString>("model"); // a folder under resources/models or ../shared/models, or "" for made-up shapes
        QTest::addColumn<int>("count");
        for (int count : {1, 2, 3, 7, 16})
            QTest::addRow("made-up/%d", count) << QString() << count;
        for (const char *model : {"fortunes-llama", "fashion-vit", "fashion-llava"})
            for (int count : {2, 3, 5})
                QTest::addRow("%s/%d", model, count) << kModels + "/" + model << count;
        QTest::addRow("stories260K/4") << QStringLiteral("shared:stories260K/stories260K.bin") << 4;
    }
    void dealsEveryMatrixOnce()
    {
        QFETCH(QString, model);
        QFETCH(int, count);
        if (model.startsWith("shared:")) {
            model = sculpt::test::sharedModel(model.mid(7));
            if (model.isEmpty())
                QSKIP("../shared/models/stories260K is absent; skipping");
        }
        const std::vector<NamedMatrix> matrices = model.isEmpty() ? madeUpMatrices(41) : modelMatrices(model);
        QVERIFY(size_t(count) <= matrices.size());
        const auto shards = dealShards(matrices, count);
        checkDeal(matrices, shards, count);
        for (const SpectrumShard &shard : shards)
            QVERIFY(!shard.matrices.empty());

        // The same deal again, and from the matrices in another order: it depends on names and
        // shapes only, as it must when every array task deals for itself.
        QVERIFY(sameDeal(dealShards(matrices, count), shards));
        std::vector<NamedMatrix> shuffled(matrices.rbegin(), matrices.rend());
        std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(11));
        QVERIFY(sameDeal(dealShards(shuffled, count), shards));
        for (int k = 1; k <= count; ++k)
            QVERIFY(sameDeal({shardOf(shuffled, {k, count})}, {shards[size_t(k) - 1]}));
    }

    void equalCostsGoInNameOrder()
    {
        const std::vector<NamedMatrix> matrices{{"d", {8, 8}}, {"b", {8, 8}}, {"a", {8, 8}}, {"c", {8, 8}}};
        const auto shards = dealShards(matrices, 2);
        QCOMPARE(shards[0].matrices, (std::vector<std::string>{"a", "c"}));
        QCOMPARE(shards[1].matrices, (std::vector<std::string>{"b", "d"}));
    }

    void theMatchSelectsWhatIsDealt()
    {
        const auto checkpoint = openCheckpoint((kModels + "/fortunes-llama").toStdString());
        const ModelInventory inventory = buildInventory(*checkpoint);
        const std::vector<NamedMatrix> layer = spectraMatrices(inventory, "layers\\.0\\.");
        QCOMPARE(layer.size(), size_t(7));
        for (const NamedMatrix &m : layer)
            QVERIFY2(m.name.find("layers.0.") != std::string::npos, m.name.c_str());
        // Norms match a pattern too, but are no matrices: no shard gets them.
        QVERIFY(std::any_of(inventory.weights.begin(), inventory.weights.end(),
                            [](const Weight &w) { return w.name.find("norm") != std::string::npos; }));
        QVERIFY(spectraMatrices(inventory, "norm").empty());
        checkDeal(layer, dealShards(layer, 3), 3);
    }

    void moreShardsThanMatrices()
    {
        const std::vector<NamedMatrix> matrices = madeUpMatrices(3);
        const auto shards = dealShards(matrices, 5);
        checkDeal(matrices, shards, 5);
        for (size_t s = 0; s < shards.size(); ++s) // the first three get one each, the rest nothing
            QCOMPARE(shards[s].matrices.size(), size_t(s < 3 ? 1 : 0));
        for (int k = 1; k <= 5; ++k)
            QVERIFY(sameDeal({shardOf(matrices, {k, 5})}, {shards[size_t(k) - 1]}));
        // A count no array would have costs nothing: only the shards a matrix reaches are made.
        QVERIFY(sameDeal({shardOf(matrices, {1, INT_MAX})}, {dealShards(matrices, 3)[0]}));
        QVERIFY(shardOf(matrices, {INT_MAX, INT_MAX}).matrices.empty());
        QVERIFY(shardOf({}, {1, 1}).matrices.empty());
    }

    void refusesShardsThatAreNone()
    {
        const std::vector<NamedMatrix> matrices = madeUpMatrices(3);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, dealShards(matrices, 0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, shardOf(matrices, {0, 4}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, shardOf(matrices, {5, 4}));
    }
};

QTEST_GUILESS_MAIN(TestSpectrumShards)
#include "test_spectrum_shards.moc"
