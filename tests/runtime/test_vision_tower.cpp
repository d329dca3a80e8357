// CLIP's and SigLIP's vision towers as ViTs without a head: tiny random-weight folders written
// by tests/reference/vision_tower_reference.py, every layer's hidden states and the tower's
// output against that script's float64 forward; what each model_type leaves unsaid.

#include "io/formats.h"
#include "json_numbers.h"
#include "llama2c_reference.h"
#include "runtime/families/vit/vit.h"
#include "runtime/model_family.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

using namespace sculpt;

namespace {

torch::Tensor tensorOf(const QJsonValue &nested, torch::IntArrayRef shape)
{
    std::vector<double> values;
    sculpt::test::flattenJson(nested, values);
    if (int64_t(values.size()) != c10::multiply_integers(shape))
        return {};
    return torch::tensor(values, torch::kFloat64).reshape(shape);
}

// A tower folder of `kind` ("clip" or "siglip") written by the reference into `dir`.
std::unique_ptr<Model> makeTower(const QTemporaryDir &dir, const QString &kind)
{
    sculpt::test::runReference({"make", dir.path(), kind, "7"});
    return loadModel(*openCheckpoint(dir.path().toStdString()), torch::kCPU);
}

} // namespace

class TestVisionTower : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesTheReference_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("tokens"); // 3 × 3 patches, and CLIP's class token
        QTest::newRow("clip") << "clip" << 10;
        QTest::newRow("siglip") << "siglip" << 9;
    }
    void matchesTheReference()
    {
        QFETCH(QString, kind);
        QFETCH(int, tokens);
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        const std::unique_ptr<Model> model = makeTower(dir, kind);
        QCOMPARE(model->kind(), ModelKind::Vision);
        const auto &tower = dynamic_cast<const Vit &>(*model);
        QCOMPARE(tower.classes(), int64_t(0));

        torch::manual_seed(3);
        ModelInput input;
        input.pixels = torch::randn({2, 3, 12, 12}, torch::kFloat32);
        const QString pixelsPath = dir.filePath("pixels");
        QFile pixels(pixelsPath);
        QVERIFY(pixels.open(QIODevice::WriteOnly));
        pixels.write(static_cast<const char *>(input.pixels.data_ptr()), qint64(input.pixels.nbytes()));
        pixels.close();

        const ModelOutput out = tower.forward(input, {0, 1, 2});
        const QJsonObject reference = sculpt::test::runReference({"run", dir.path(), pixelsPath}).object();
        const QJsonArray hidden = reference["hidden"].toArray();
        QCOMPARE(hidden.size(), 4); // the embeddings, then each of the 3 layers
        QCOMPARE(out.hidden.size(), size_t(3));
        std::vector<std::pair<torch::Tensor, QJsonValue>> pairs{{out.logits, reference["last"]}};
        for (size_t l = 0; l < 3; ++l)
            pairs.emplace_back(out.hidden[l], hidden[int(l) + 1]);
        for (const auto &[ours, theirs] : pairs) {
            QCOMPARE(ours.sizes().vec(), (std::vector<int64_t>{2, tokens, 24}));
            const torch::Tensor expected = tensorOf(theirs, {2, tokens, 24});
            QVERIFY(expected.defined());
            const double difference = (ours.to(torch::kFloat64) - expected).abs().max().item<double>();
            QVERIFY2(difference < 1e-4, qPrintable(QString::number(difference)));
        }
    }

    // What config.json does not say comes from transformers' defaults for its model_type, and
    // the image processor's normalisation: CLIP's own mean and std, SigLIP's 0.5.
    void eachTowerBringsItsDefaults()
    {
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir clipDir, siglipDir;
        const auto clip = makeTower(clipDir, "clip"), siglip = makeTower(siglipDir, "siglip");
        const VitConfig &c = dynamic_cast<const Vit &>(*clip).config(), &s = dynamic_cast<const Vit &>(*siglip).config();
        QVERIFY(c.classToken() && !s.classToken());
        QVERIFY(!c.patchBias && s.patchBias);
        QVERIFY(!c.finalNorm && s.finalNorm);
        QVERIFY(c.activation == VitActivation::QuickGelu && s.activation == VitActivation::GeluTanh);
        QCOMPARE(c.mean, (std::vector<double>{0.48145466, 0.4578275, 0.40821073}));
        QCOMPARE(s.std, (std::vector<double>{0.5, 0.5, 0.5}));
        QCOMPARE(QString::fromStdString(c.names.preNorm), QString("vision_model.pre_layrnorm"));
        QVERIFY(s.names.preNorm.empty());
    }

    // A tower is not a ViTForImageClassification: writing it as one is refused, not half done.
    void aTowerIsNotExportedAsAClassifier()
    {
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        const std::unique_ptr<Model> model = makeTower(dir, "clip");
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, model->checkpointTensors(false));
    }
};

QTEST_GUILESS_MAIN(TestVisionTower)
#include "test_vision_tower.moc"
