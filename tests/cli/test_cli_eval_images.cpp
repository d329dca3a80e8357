// `sculpt-cli eval MODEL --images IDX --labels IDX` as a user runs it: vit_mnist_tiny's
// published accuracy through a sidecar, bad input in one line, Ctrl-C.

#include "cli_runner.h"
#include "idx_files.h"
#include "vit_files.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <csignal>

using sculpt::test::idxFile;
using sculpt::test::runCli;

namespace {

// A random HF ViT for images of `shape.image`² pixels, in `dir`/`name`.
QString writeModel(const QTemporaryDir &dir, const QString &name, const sculpt::test::VitShape &shape)
{
    const auto weights = sculpt::test::randomVit(shape);
    return sculpt::test::writeHfVit(dir.filePath(name), sculpt::test::hfVitTensors(weights),
                                    sculpt::test::hfVitConfig(shape));
}

} // namespace

class TestCliEvalImages : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void vitMnistTinyJson()
    {
        SCULPT_REQUIRE_SHARED(model, "vit_mnist_tiny/vit_mnist.safetensors");
        SCULPT_REQUIRE_SHARED(images, "mnist_t10k/t10k-images-idx3-ubyte.gz");
        SCULPT_REQUIRE_SHARED(labels, "mnist_t10k/t10k-labels-idx1-ubyte.gz");
        QTemporaryDir dir;
        const QString sidecar = dir.filePath("vit_mnist.json");
        sculpt::test::writeFile(sidecar, sculpt::test::kVitMnistTinySidecar);
        const auto run = runCli({"eval", model, "--images", images, "--labels", labels, "--config", sidecar, "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject r = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(r["images"].toInt(), 10000);
        QCOMPARE(r["correct"].toInt(), 9794);
        QCOMPARE(r["accuracy"].toDouble(), 0.9794);
    }

    void pthTableWithLimit()
    {
        SCULPT_REQUIRE_SHARED(model, "vit_mnist_tiny/vit_mnist.pth");
        SCULPT_REQUIRE_SHARED(images, "mnist_t10k/t10k-images-idx3-ubyte.gz");
        SCULPT_REQUIRE_SHARED(labels, "mnist_t10k/t10k-labels-idx1-ubyte.gz");
        QTemporaryDir dir;
        const QString sidecar = dir.filePath("vit_mnist.json");
        sculpt::test::writeFile(sidecar, sculpt::test::kVitMnistTinySidecar);
        const auto run = runCli({"eval", model, "--config", sidecar, "--images", images, "--labels", labels, "--limit", "300"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.startsWith("images    300\ncorrect   ") && run.out.contains("accuracy  ") && run.out.endsWith(" %\n"),
                 run.out.constData());
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        const QStringList good{"--images", "DIR/images", "--labels", "DIR/labels"};
        QTest::newRow("no labels") << QStringList{"eval", "MODEL", "--images", "DIR/images"} << "usage";
        QTest::newRow("unknown option") << QStringList{"eval", "MODEL", "--foo"} + good << "--foo";
        QTest::newRow("bad --limit") << QStringList{"eval", "MODEL", "--limit", "0"} + good << "--limit";
        QTest::newRow("labels as images") << QStringList{"eval", "MODEL", "--images", "DIR/labels", "--labels", "DIR/labels"}
                                          << "DIR/labels: is an IDX label file";
        QTest::newRow("label out of range") << QStringList{"eval", "MODEL", "--images", "DIR/images", "--labels", "DIR/nine"}
                                            << "label 9 (image 0) is not one of the model's 3 classes";
        QTest::newRow("no images") << QStringList{"eval", "MODEL", "--images", "DIR/empty", "--labels", "DIR/nolabels"}
                                   << "DIR/empty: holds no images";
        QTest::newRow("no config") << QStringList{"eval", "DIR/bare.safetensors"} + good << "--config";
        QTest::newRow("bad sidecar") << QStringList{"eval", "MODEL", "--config", "DIR/sidecar.json"} + good
                                     << "DIR/sidecar.json: unknown key 'patch_order'";
    }
    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const QString model = writeModel(dir, "hf", sculpt::test::VitShape{});
        sculpt::test::writeTensors(dir.filePath("bare.safetensors"),
                                   sculpt::test::hfVitTensors(sculpt::test::randomVit(sculpt::test::VitShape{})));
        using sculpt::test::kIdxImages, sculpt::test::kIdxLabels;
        sculpt::test::writeFile(dir.filePath("images"), idxFile(kIdxImages, {4, 8, 8}, QByteArray(256, '\x80')));
        sculpt::test::writeFile(dir.filePath("empty"), idxFile(kIdxImages, {0, 8, 8}, {}));
        sculpt::test::writeFile(dir.filePath("labels"), idxFile(kIdxLabels, {4}, QByteArray("\0\1\2\1", 4)));
        sculpt::test::writeFile(dir.filePath("nine"), idxFile(kIdxLabels, {4}, QByteArray("\x09\1\2\1", 4)));
        sculpt::test::writeFile(dir.filePath("nolabels"), idxFile(kIdxLabels, {0}, {}));
        sculpt::test::writeFile(dir.filePath("sidecar.json"), "{\"patch_order\": \"c p1 p2\"}");
        args.replaceInStrings("MODEL", model);
        args.replaceInStrings("DIR", dir.path());
        mentions.replace("DIR", dir.path());

        const auto run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString::fromUtf8(run.err).contains(mentions), run.err.constData());
        if (!run.err.startsWith("usage"))
            QCOMPARE(run.err.count('\n'), 1);
    }

    void ctrlCStopsAnEvaluation()
    {
        // 197 tokens per image (2×2 patches of 28×28) and 20,000 images: tens of seconds of work.
        QTemporaryDir dir;
        const QString model =
            writeModel(dir, "vit", {.image = 28, .patch = 2, .channels = 1, .dim = 64, .heads = 4, .hidden = 128});
        const QString images = dir.filePath("images"), labels = dir.filePath("labels");
        sculpt::test::writeFile(images, idxFile(sculpt::test::kIdxImages, {20000, 28, 28}, QByteArray(20000 * 784, '\0')));
        sculpt::test::writeFile(labels, idxFile(sculpt::test::kIdxLabels, {20000}, QByteArray(20000, '\0')));
        QProcess p;
        p.start(QStringLiteral(SCULPT_CLI_PATH), {"eval", model, "--images", images, "--labels", labels});
        QVERIFY(p.waitForStarted());
        QTest::qWait(2000);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("cancelled"));
    }
};

QTEST_GUILESS_MAIN(TestCliEvalImages)
#include "test_cli_eval_images.moc"
