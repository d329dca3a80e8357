// The demo models' trainer: two runs give the same bytes; the saved ViT runs in the runtime
// with the logits and the accuracy training measured; the committed resources/models/fashion-vit
// and fashion-vit-6x8 reach the accuracies the README states for each; `sculpt-cli zoo` refuses
// bad options and stops on Ctrl-C without leaving a model behind.

#include "cli_runner.h"
#include "io/formats.h"
#include "runtime/accuracy.h"
#include "data/idx.h"
#include "runtime/image_classifier.h"
#include "runtime/vit_training.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <filesystem>
#include <random>

using namespace sculpt;

namespace {

const QString kFashionMnist = QStringLiteral("/usr/share/datasets/fashion-mnist");

// Random 14×14 images with labels that follow their top-left pixel, so a few steps learn
// something.
struct Synthetic {
    IdxImages images;
    std::vector<uint8_t> labels;
};

Synthetic synthetic(int64_t count, uint32_t seed)
{
    Synthetic s;
    s.images = {count, 14, 14, std::vector<uint8_t>(size_t(count * 14 * 14))};
    std::mt19937 random(seed);
    for (uint8_t &p : s.images.pixels)
        p = uint8_t(random() & 0xff);
    for (int64_t i = 0; i < count; ++i)
        s.labels.push_back(uint8_t(s.images.pixels[size_t(i * 14 * 14)] % 3));
    return s;
}

VitTrainingOptions tinyOptions()
{
    VitTrainingOptions o;
    o.dim = 16;
    o.layers = 2;
    o.heads = 2;
    o.hiddenDim = 32;
    o.classNames = {"a", "b", "c"};
    o.epochs = 2;
    o.batch = 16;
    o.seed = 7;
    return o;
}

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The first `count` images of a set.
IdxImages first(const IdxImages &all, int64_t count)
{
    IdxImages part{count, all.rows, all.cols, {}};
    part.pixels.assign(all.pixels.begin(), all.pixels.begin() + count * all.rows * all.cols);
    return part;
}

} // namespace

class TestZoo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void trainingIsDeterministic()
    {
        const Synthetic train = synthetic(64, 1), test = synthetic(16, 2);
        QTemporaryDir dir;
        const std::string a = dir.filePath("a").toStdString(), b = dir.filePath("b").toStdString();
        const VitTrainingResult first = trainVit(train.images, train.labels, test.images, test.labels, tinyOptions(), a);
        const VitTrainingResult second = trainVit(train.images, train.labels, test.images, test.labels, tinyOptions(), b);
        QCOMPARE(first.epochLoss.size(), size_t(2));
        QVERIFY(first.epochLoss == second.epochLoss);
        QVERIFY(first.testLogits == second.testLogits);
        const QByteArray weights = contents(dir.filePath("a/model.safetensors"));
        QVERIFY(!weights.isEmpty());
        QCOMPARE(contents(dir.filePath("b/model.safetensors")), weights);
        QCOMPARE(contents(dir.filePath("b/config.json")), contents(dir.filePath("a/config.json")));

        // Another seed starts elsewhere.
        VitTrainingOptions other = tinyOptions();
        other.seed = 8;
        const std::string c = dir.filePath("c").toStdString();
        trainVit(train.images, train.labels, test.images, test.labels, other, c);
        QVERIFY(contents(dir.filePath("c/model.safetensors")) != weights);
    }

    void savedVitGivesTrainingLogits()
    {
        const Synthetic train = synthetic(64, 3), test = synthetic(40, 4);
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        const VitTrainingResult trained = trainVit(train.images, train.labels, test.images, test.labels, tinyOptions(), folder);
        const auto classifier = ImageClassifier::load(*openCheckpoint(folder));
        QCOMPARE(classifier->classes(), int64_t(3));
        const std::vector<float> logits = classifier->logits(test.images.pixels, test.images.count);
        QCOMPARE(logits.size(), trained.testLogits.size());
        for (size_t i = 0; i < logits.size(); ++i)
            QVERIFY2(std::abs(logits[i] - trained.testLogits[i]) <= 1e-4, qPrintable(QString::number(i)));
        QCOMPARE(accuracy(*classifier, test.images, test.labels).correct, trained.testCorrect);
    }

    void refusesMismatchedOptions()
    {
        const Synthetic train = synthetic(8, 5);
        VitTrainingOptions o = tinyOptions();
        o.patchSize = 5; // does not divide 14
        QTemporaryDir dir;
        const std::string folder = dir.filePath("model").toStdString();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 trainVit(train.images, train.labels, train.images, train.labels, o, folder));
        QVERIFY(!std::filesystem::exists(folder));
    }

    void fashionSliceRunsAsTrained()
    {
        if (!QFile::exists(kFashionMnist))
            QSKIP("no /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)");
        const std::string data = kFashionMnist.toStdString();
        const IdxImages train = readIdxImages(data + "/train-images-idx3-ubyte.gz");
        const std::vector<uint8_t> trainLabels = readIdxLabels(data + "/train-labels-idx1-ubyte.gz");
        const IdxImages test = first(readIdxImages(data + "/t10k-images-idx3-ubyte.gz"), 500);
        std::vector<uint8_t> testLabels = readIdxLabels(data + "/t10k-labels-idx1-ubyte.gz");
        testLabels.resize(500);

        VitTrainingOptions o;
        o.dim = 32;
        o.layers = 2;
        o.hiddenDim = 64;
        o.classNames = std::vector<std::string>(10, "class");
        o.epochs = 2;
        o.trainLimit = 6000;
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        const VitTrainingResult trained = trainVit(train, trainLabels, test, testLabels, o, folder);
        // 6,000 images twice over: far from done, but well above chance (50 of 500).
        QVERIFY2(trained.testCorrect > 200, qPrintable(QString::number(trained.testCorrect)));
        const auto classifier = ImageClassifier::load(*openCheckpoint(folder));
        QCOMPARE(accuracy(*classifier, test, testLabels).correct, trained.testCorrect);
    }

    void committedVitReachesItsReadme_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("fashion-vit") << QStringLiteral("fashion-vit");
        QTest::newRow("fashion-vit-6x8") << QStringLiteral("fashion-vit-6x8");
    }

    void committedVitReachesItsReadme()
    {
        if (!QFile::exists(kFashionMnist))
            QSKIP("no /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)");
        QFETCH(QString, name);
        const QString models = QStringLiteral(SCULPT_MODELS_DIR);
        const QString readme = QString::fromUtf8(contents(models + "/README.md"));
        // The model's own section, from its heading to the next: the README names several.
        const QRegularExpression sectionOf(QStringLiteral("^## %1\n(.*?)(^## |\\z)").arg(QRegularExpression::escape(name)),
                                           QRegularExpression::MultilineOption |
                                               QRegularExpression::DotMatchesEverythingOption);
        const QRegularExpressionMatch section = sectionOf.match(readme);
        QVERIFY2(section.hasMatch(), qPrintable("resources/models/README.md has no '## " + name + "' section"));
        const QRegularExpressionMatch stated =
            QRegularExpression(QStringLiteral("test accuracy: ([\\d,]+) of 10,000")).match(section.captured(1));
        QVERIFY2(stated.hasMatch(), qPrintable("its '## " + name + "' section states no 'test accuracy: N of 10,000'"));
        const long expected = stated.captured(1).remove(',').toLong();

        const std::string data = kFashionMnist.toStdString();
        const IdxImages test = readIdxImages(data + "/t10k-images-idx3-ubyte.gz");
        const std::vector<uint8_t> labels = readIdxLabels(data + "/t10k-labels-idx1-ubyte.gz");
        const auto classifier = ImageClassifier::load(*openCheckpoint((models + "/" + name).toStdString()));
        const AccuracyResult result = accuracy(*classifier, test, labels);
        QCOMPARE(result.images, 10000L);
        QCOMPARE(result.correct, expected);
    }

    void cliRefusesBadOptions()
    {
        for (const QStringList &args : {QStringList{"zoo", "--epochs", "0"}, QStringList{"zoo", "--seed", "x"},
                                        QStringList{"zoo", "--images", "x"}, QStringList{"zoo", "--out"}}) {
            const auto run = sculpt::test::runCli(args);
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(!run.err.isEmpty(), qPrintable(args.join(' ')));
        }
        // A near miss of a ViT's key: one line that names what --only takes.
        const auto run = sculpt::test::runCli({"zoo", "--only", "vit-6x9"});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY2(run.err.contains("vit-6x8"), qPrintable(run.err));
    }

    void cliStopsOnCtrlC()
    {
        if (!QFile::exists(kFashionMnist))
            QSKIP("no /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)");
        QTemporaryDir dir;
        QProcess p;
        p.start(QStringLiteral(SCULPT_CLI_PATH), {"zoo", "--out", dir.path()});
        // The first line comes once Ctrl-C is handled, before training: a full run is minutes.
        QVERIFY(p.waitForReadyRead(60000));
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("cancelled"));
        QVERIFY(!QFile::exists(dir.filePath("fashion-vit/model.safetensors")));
    }
};

QTEST_GUILESS_MAIN(TestZoo)
#include "test_zoo.moc"
