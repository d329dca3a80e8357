// The vision-language demo's trainer: made from the bundled fashion-vit and fortunes-llama, two
// short runs give the same bytes, the saved folder runs in the runtime as training left it and
// a cancelled run leaves nothing; the committed resources/models/fashion-llava answers the test
// questions `sculpt-cli zoo` writes as its README says; `zoo --only vlm` without its two
// models is one line.

#include "cli_runner.h"
#include "data/fashion_questions.h"
#include "data/idx.h"
#include "io/formats.h"
#include "runtime/language_model.h"
#include "runtime/llava_training.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cmath>

using namespace sculpt;

namespace {

const QString kFashionMnist = QStringLiteral("/usr/share/datasets/fashion-mnist");
const QString kModels = QStringLiteral(SCULPT_MODELS_DIR);

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Random 28×28 images with random labels: enough for a few steps to change the weights.
void randomImages(int64_t count, IdxImages &images, std::vector<uint8_t> &labels)
{
    images = {count, 28, 28, std::vector<uint8_t>(size_t(count * 28 * 28))};
    uint32_t state = 12345;
    for (uint8_t &p : images.pixels)
        p = uint8_t((state = state * 1664525u + 1013904223u) >> 24);
    for (int64_t i = 0; i < count; ++i)
        labels.push_back(uint8_t(images.pixels[size_t(i * 784)] % 10));
}

LlavaTrainingOptions tinyOptions()
{
    LlavaTrainingOptions o;
    o.tower = (kModels + "/fashion-vit").toStdString();
    o.decoder = (kModels + "/fortunes-llama").toStdString();
    o.projectorSteps = 2;
    o.decoderSteps = 2;
    o.batch = 4;
    return o;
}

} // namespace

class TestZooVlm : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void trainingIsDeterministicAndRunsAsSaved()
    {
        IdxImages images;
        std::vector<uint8_t> labels;
        randomImages(8, images, labels);
        QTemporaryDir dir;
        const std::string a = dir.filePath("a").toStdString(), b = dir.filePath("b").toStdString();
        const LlavaTrainingResult first = trainLlava(images, labels, tinyOptions(), a);
        const LlavaTrainingResult second = trainLlava(images, labels, tinyOptions(), b);
        QCOMPARE(first.steps, 4L);
        QCOMPARE(first.questions, 16L);
        QCOMPARE(first.stageLoss.size(), size_t(2));
        QVERIFY(first.stageLoss == second.stageLoss);
        for (const char *file : {"model.safetensors", "config.json", "preprocessor_config.json", "tokenizer.model"}) {
            const QByteArray bytes = contents(dir.filePath(QString("a/") + file));
            QVERIFY2(!bytes.isEmpty(), file);
            QCOMPARE(contents(dir.filePath(QString("b/") + file)), bytes);
        }

        // The folder is a LLaVA of grey images whose vocabulary grew by the image token.
        const QJsonObject config = QJsonDocument::fromJson(contents(dir.filePath("a/config.json"))).object();
        QCOMPARE(config["model_type"].toString(), QString("llava"));
        QCOMPARE(config["vision_config"].toObject()["model_type"].toString(), QString("vit"));
        QCOMPARE(config["image_token_index"].toInt(), 1024);
        QCOMPARE(config["text_config"].toObject()["vocab_size"].toInt(), 1025);
        const auto model = LanguageModel::load(*openCheckpoint(a));
        QCOMPARE(model->imagePrompt()->channels, int64_t(1));
        QCOMPARE(model->imagePrompt()->tokensPerImage, int64_t(17)); // 16 patches and the class token
        const std::vector<float> logits = model->decoder().prompt(first.probeTokens, first.probePixels);
        QCOMPARE(logits.size(), first.probeLogits.size());
        for (size_t i = 0; i < logits.size(); ++i)
            QVERIFY(std::abs(logits[i] - first.probeLogits[i]) < 1e-4);

        // Other training data moves the weights elsewhere.
        std::vector<uint8_t> shifted = labels;
        for (uint8_t &l : shifted)
            l = uint8_t((l + 1) % 10);
        trainLlava(images, shifted, tinyOptions(), dir.filePath("c").toStdString());
        QVERIFY(contents(dir.filePath("c/model.safetensors")) != contents(dir.filePath("a/model.safetensors")));
    }

    void cancelledTrainingLeavesNothing()
    {
        IdxImages images;
        std::vector<uint8_t> labels;
        randomImages(4, images, labels);
        QTemporaryDir dir;
        const std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(Cancelled, trainLlava(images, labels, tinyOptions(), dir.filePath("x").toStdString(),
                                                       JobContext({}, &cancel)));
        QVERIFY(!QFile::exists(dir.filePath("x")));
        LlavaTrainingOptions none = tinyOptions();
        none.batch = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, trainLlava(images, labels, none, dir.filePath("x").toStdString()));
    }

    void committedModelReachesItsReadme()
    {
        if (!QFile::exists(kFashionMnist))
            QSKIP("no /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)");
        const QString readme = QString::fromUtf8(contents(kModels + "/README.md"));
        const QRegularExpressionMatch section =
            QRegularExpression(QStringLiteral("^## fashion-llava\n(.*?)(^## |\\z)"),
                               QRegularExpression::MultilineOption | QRegularExpression::DotMatchesEverythingOption)
                .match(readme);
        QVERIFY2(section.hasMatch(), "resources/models/README.md has no '## fashion-llava' section");
        const QRegularExpressionMatch stated =
            QRegularExpression(QStringLiteral("test answer accuracy: ([\\d,]+) of 3,000")).match(section.captured(1));
        QVERIFY2(stated.hasMatch(), "its section states no 'test answer accuracy: N of 3,000'");

        // The questions `sculpt-cli zoo --only vlm` writes: the first 1,000 test images.
        const std::string data = kFashionMnist.toStdString();
        QTemporaryDir dir;
        const std::string questions =
            writeFashionQuestions(readIdxImages(data + "/t10k-images-idx3-ubyte.gz"),
                                  readIdxLabels(data + "/t10k-labels-idx1-ubyte.gz"), 0, 1000,
                                  dir.filePath("test").toStdString());
        const auto run = sculpt::test::runCli({"eval", kModels + "/fashion-llava", "--vqa",
                                               QString::fromStdString(questions), "--json", "--workspace",
                                               dir.filePath("w.h5")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject result = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(result["questions"].toInt(), 3000);
        QCOMPARE(result["correct"].toInt(), stated.captured(1).remove(',').toInt());
    }

    void needsItsTwoModels()
    {
        QTemporaryDir dir;
        const auto run = sculpt::test::runCli({"zoo", "--only", "vlm", "--out", dir.path(), "--data", dir.filePath("d")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("train it first"), run.err.constData());
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY(!QFile::exists(dir.filePath("d")));
    }
};

QTEST_GUILESS_MAIN(TestZooVlm)
#include "test_zoo_vlm.moc"
