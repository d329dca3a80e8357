// `sculpt-cli heads`, `heat` and `adapt` on the bundled fashion-vit and a task folder of t3's
// training images and 2,000 of its test images (Debian's Fashion-MNIST, always installed): a layers × heads table of scores, the strategies by name,
// masking, each fine-tuning method; bad requests refused with one line and exit 2.

#include "cli_runner.h"
#include "fashion_task.h"
#include "vit_files.h"

#include "analysis/content_hash.h"
#include "io/formats.h"
#include "workspace/workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

using namespace sculpt::test;

namespace {
const QString kVit = QStringLiteral(SCULPT_MODELS_DIR "/fashion-vit");

QJsonObject readJsonFile(const QString &path)
{
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(file.readAll()).object();
}
} // namespace

class TestCliHeads : public QObject {
    Q_OBJECT
    QTemporaryDir home_;
    QString task_;

    // `sculpt-cli eval`'s accuracy of `model` on the task's test images.
    double testAccuracy(const QString &model) const
    {
        const CliRun run = runCli({"eval", model, "--images", task_ + "/t10k-images-idx3-ubyte", "--labels",
                                   task_ + "/t10k-labels-idx1-ubyte", "--json"});
        if (run.exitCode != 0)
            qWarning("%s", run.err.constData());
        return QJsonDocument::fromJson(run.out).object()["accuracy"].toDouble(-1);
    }

private Q_SLOTS:
    // Runs without --workspace keep theirs in the default place: here, not in the user's.
    void initTestCase()
    {
        qputenv("XDG_DATA_HOME", home_.path().toUtf8());
        task_ = writeFashionTask(home_.filePath("fashion"));
    }

    // Each run with its curve (heat's second training numbered on) and, for the runs that change
    // the model, the side-by-side preview: adapt's starting model is the model as opened, so
    // its test accuracy is what `eval` measures.
    void runsAreKeptInTheWorkspace()
    {
        QTemporaryDir dir;
        const QString file = dir.path() + "/runs.h5";
        double reported = -1;
        for (const QStringList &args :
             {QStringList{"heads", kVit, "--strategy", "magnitude", "--epochs", "0"},
              QStringList{"heat", kVit, "--strategy", "magnitude", "--mask", "0.5", "--epochs", "1"},
              QStringList{"adapt", kVit, "--method", "linear", "--epochs", "1"}}) {
            const CliRun run = runCli(args + QStringList{"--task", task_, "--workspace", file, "--json"});
            QVERIFY2(run.exitCode == 0, run.err.constData());
            if (args[0] == "heat")
                reported = QJsonDocument::fromJson(run.out).object()["test_accuracy"].toDouble(-1);
        }
        const std::string model = kVit.toStdString();
        const auto workspace = sculpt::Workspace::open(file.toStdString(), {model, sculpt::modelFingerprint(*sculpt::openCheckpoint(model))});
        const auto runs = workspace.adaptations();
        QCOMPARE(runs.size(), size_t(3));
        QCOMPARE(QString::fromStdString(runs[0].command), QString("heads"));
        QCOMPARE(QString::fromStdString(runs[1].command), QString("heat"));
        QCOMPARE(runs[1].scores.layers * runs[1].scores.heads, int64_t(16));
        QCOMPARE(QString::fromStdString(runs[1].scores.strategy), QString("magnitude"));
        QCOMPARE(runs[1].masked.size(), size_t(8));
        QCOMPARE(runs[1].testAccuracy, reported);
        QVERIFY(std::isnan(runs[0].testAccuracy));
        QVERIFY(!runs[0].modelHash.empty());
        QCOMPARE(runs[1].modelHash, runs[0].modelHash);

        QVERIFY(runs[0].curve.empty() && runs[0].predictions.empty());
        QCOMPARE(runs[1].curve.size(), size_t(2));
        QCOMPARE(runs[1].curve[0].epoch, int64_t(1));
        QCOMPARE(runs[1].curve[1].epoch, int64_t(2));
        QCOMPARE(runs[1].curve[1].validationAccuracy, runs[1].maskedValidationAccuracy);
        QCOMPARE(runs[1].referenceTrainable, runs[1].trainable);
        QCOMPARE(runs[2].curve.size(), size_t(1));
        QCOMPARE(runs[2].referenceTrainable, int64_t(0));
        const double asOpened = testAccuracy(kVit);
        QVERIFY2(std::abs(runs[2].referenceTestAccuracy - asOpened) <= kSameFashionAccuracy,
                 qPrintable(QString("%1 vs %2").arg(runs[2].referenceTestAccuracy).arg(asOpened)));
        for (const auto &run : {runs[1], runs[2]}) {
            QCOMPARE(run.referencePredictions.size(), size_t(sculpt::AdaptationRecord::kPreviewImages));
            QCOMPARE(run.predictions.size(), size_t(sculpt::AdaptationRecord::kPreviewImages));
            for (int64_t c : run.predictions)
                QVERIFY(c >= 0 && c < 10);
        }
    }

    void scoresEveryHead_data()
    {
        QTest::addColumn<QString>("strategy");
        for (const char *s : {"weights", "activations", "gate", "magnitude", "random"})
            QTest::newRow(s) << QString(s);
    }
    void scoresEveryHead()
    {
        QFETCH(QString, strategy);
        const CliRun run = runCli({"heads", kVit, "--task", "t3", "--data", "/nonexistent", "--strategy", strategy,
                                   "--epochs", "1", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(o["strategy"].toString(), strategy);
        QCOMPARE(o["layers"].toInt(), 4);
        const QJsonArray rows = o["scores"].toArray();
        QCOMPARE(rows.size(), 4);
        double sum = 0;
        for (const auto &row : rows) {
            QCOMPARE(row.toArray().size(), o["heads"].toInt());
            for (const auto &v : row.toArray()) {
                QVERIFY(v.toDouble() >= 0);
                sum += v.toDouble();
            }
        }
        QVERIFY(sum > 0);
        QVERIFY(o["trainable"].toInt() > 0);
        // fashion-vit was trained on Fashion-MNIST: its own task stays easy after an epoch of LoRA.
        QVERIFY2(o["validation_accuracy"].toDouble() > 0.7, run.out.constData());
    }

    void badRequestsAreRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("strategy") << QStringList{"--task", "t3", "--strategy", "nope"} << "unknown strategy 'nope'";
        QTest::newRow("task") << QStringList{"--task", "t9", "--strategy", "gate"} << "unknown task 't9'";
        QTest::newRow("adapter") << QStringList{"--task", "t3", "--strategy", "gate", "--adapter", "prefix"}
                                 << "unknown adapter 'prefix'";
        QTest::newRow("missing data") << QStringList{"--task", "t2", "--data", "/nonexistent", "--strategy", "gate"}
                                      << "digits.png";
    }
    void badRequestsAreRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const CliRun run = runCli(QStringList{"heads", kVit} + args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString(run.err).contains(message), run.err.constData());
        QCOMPARE(run.err.count('\n'), 1);
    }

    // HEAT: a quarter of the 16 heads masked, then fine-tuned on and measured.
    void heatMasksAndMeasures()
    {
        const CliRun run = runCli({"heat", kVit, "--task", task_, "--strategy", "gate", "--mask", "0.25", "--epochs", "1",
                                   "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(o["masked"].toArray().size(), 4);
        QVERIFY2(o["test_accuracy"].toDouble() > 0.7, run.out.constData());
        const CliRun perLayer = runCli({"heat", kVit, "--task", task_, "--strategy", "magnitude", "--mask", "0.5",
                                        "--per-layer", "--epochs", "0", "--json"});
        QVERIFY2(perLayer.exitCode == 0, perLayer.err.constData());
        const QJsonArray masked = QJsonDocument::fromJson(perLayer.out).object()["masked"].toArray();
        QCOMPARE(masked.size(), 8);
        for (int layer = 0; layer < 4; ++layer) // two of each layer's four
            QCOMPARE(std::count_if(masked.begin(), masked.end(),
                                   [&](const QJsonValue &v) { return v.toArray()[0].toInt() == layer; }),
                     2);
    }

    // -o: LoRA merged, the masked heads removed for good; the folder runs as the masked model
    // did, smaller by exactly those heads.
    void heatWritesThePrunedModel()
    {
        QTemporaryDir dir;
        const QString out = dir.path() + "/heat";
        const CliRun run = runCli({"heat", kVit, "--task", task_, "--strategy", "gate", "--mask", "0.25", "--epochs", "1",
                                   "-o", out, "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        const QJsonObject config = readJsonFile(out + "/config.json");
        int pruned = 0;
        for (const auto &heads : config["pruned_heads"].toObject())
            pruned += int(heads.toArray().size());
        QCOMPARE(pruned, 4);
        QCOMPARE(config["sculpt_heat"].toObject()["strategy"].toString(), QString("gate"));
        // Each head: q, k and v rows (16 of 64, with biases) and 16 output-projection columns.
        const QJsonObject parameters = o["parameters"].toObject();
        QCOMPARE(parameters["before"].toInteger() - parameters["after"].toInteger(), 4 * (4 * 64 * 16 + 3 * 16));
        QVERIFY(o["multiply_adds"].toObject()["after"].toInteger() < o["multiply_adds"].toObject()["before"].toInteger());
        const double accuracy = testAccuracy(out);
        QVERIFY2(std::abs(accuracy - o["test_accuracy"].toDouble()) <= kSameFashionAccuracy,
                 qPrintable(QString("%1 vs %2").arg(accuracy).arg(o["test_accuracy"].toDouble())));
    }

    void heatWritesNothingItCannot_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("bottleneck") << QStringList{"heat", "--mask", "0.25", "--adapter", "bottleneck"} << "bottleneck";
        QTest::newRow("heads") << QStringList{"heads"} << "usage";
    }
    void heatWritesNothingItCannot()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString out = dir.path() + "/out";
        const QString command = args.takeFirst();
        const CliRun run = runCli(QStringList{command, kVit, "--task", task_, "--strategy", "gate", "-o", out} + args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString(run.err).contains(message, Qt::CaseInsensitive), run.err.constData());
        QVERIFY(!QFileInfo::exists(out));
    }

    // A model a Hugging Face config cannot describe (vit_mnist_tiny's lucidrains names) is
    // refused as an output before any epoch is trained: no epoch line, nothing written.
    void wholeModelOutputsOfAnotherLayoutAreRefusedFirst_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("heat") << QStringList{"heat", "--strategy", "magnitude", "--mask", "0.25", "--adapter", "none"};
        QTest::newRow("adapt") << QStringList{"adapt", "--method", "linear"};
    }
    void wholeModelOutputsOfAnotherLayoutAreRefusedFirst()
    {
        QFETCH(QStringList, args);
        const QString tiny = QStringLiteral(SCULPT_SHARED_DIR "/models/vit_mnist_tiny/vit_mnist.safetensors");
        if (!QFileInfo::exists(tiny))
            QSKIP("../shared/models/vit_mnist_tiny is absent");
        QTemporaryDir dir;
        const QString sidecar = dir.filePath("vit_mnist.json"), out = dir.filePath("out");
        writeFile(sidecar, kVitMnistTinySidecar);
        const QString command = args.takeFirst();
        const CliRun run = runCli(QStringList{command, tiny, "--config", sidecar, "--task", task_, "--epochs", "1", "-o",
                                              out, "--workspace", dir.filePath("runs.h5")} +
                                  args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString(run.err).contains("Hugging Face ViT config cannot say"), run.err.constData());
        QVERIFY2(!QString(run.err).contains("epoch "), run.err.constData());
        QVERIFY(!QFileInfo::exists(out));
    }

    // vit_mnist_tiny's fused to_qkv takes LoRA on its q and v rows: 2 · 6 layers · r 8 ·
    // (64 in + 64 rows) beside the two-layer head's 64·128 + 128 + 128·10 + 10. PEFT has no
    // form for it, so -o is refused before any epoch.
    void adaptPutsLoraOnAFusedProjection()
    {
        SCULPT_REQUIRE_SHARED(tiny, "vit_mnist_tiny/vit_mnist.safetensors");
        QTemporaryDir dir;
        const QString sidecar = dir.filePath("vit_mnist.json"), out = dir.filePath("out");
        writeFile(sidecar, kVitMnistTinySidecar);
        const QStringList args{"adapt", tiny, "--config", sidecar, "--task", task_, "--method", "lora", "--epochs", "1",
                               "--workspace", dir.filePath("runs.h5")};
        const CliRun run = runCli(args + QStringList{"--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QJsonDocument::fromJson(run.out).object()["trainable"].toInt(),
                 2 * 6 * 8 * (64 + 64) + 64 * 128 + 128 + 128 * 10 + 10);
        const CliRun refused = runCli(args + QStringList{"-o", out});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(QString(refused.err).contains("to_qkv holds LoRA on its q rows only"), refused.err.constData());
        QVERIFY2(!QString(refused.err).contains("epoch "), refused.err.constData());
        QVERIFY(!QFileInfo::exists(out));
    }

    void heatRefusesABadMask_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("none") << QStringList{};
        QTest::newRow("above 1") << QStringList{"--mask", "1.5"};
        QTest::newRow("negative") << QStringList{"--mask", "-0.1"};
    }
    void heatRefusesABadMask()
    {
        QFETCH(QStringList, args);
        const CliRun run = runCli(QStringList{"heat", kVit, "--task", task_, "--strategy", "gate"} + args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(!run.err.isEmpty());
    }

    // Each method trains what it says: the classifier alone is 64·10 + 10 numbers.
    void adaptTrainsEachMethod_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("low");
        QTest::addColumn<int>("high");
        QTest::newRow("linear") << "linear" << 650 << 650;
        QTest::newRow("lora") << "lora" << 651 << 20000;
        QTest::newRow("bottleneck") << "bottleneck" << 651 << 20000;
        QTest::newRow("full") << "full" << 100000 << 1000000;
    }
    void adaptTrainsEachMethod()
    {
        QFETCH(QString, method);
        QFETCH(int, low);
        QFETCH(int, high);
        const CliRun run = runCli({"adapt", kVit, "--task", task_, "--method", method, "--epochs", "1", "--lr",
                                   method == "full" ? "1e-4" : "1e-2", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        QVERIFY2(o["trainable"].toInt() >= low && o["trainable"].toInt() <= high, run.out.constData());
        QCOMPARE(o["epochs"].toArray().size(), 1);
        QVERIFY2(o["test_accuracy"].toDouble() > 0.7, run.out.constData());
    }

    // -o: LoRA as a PEFT folder that `merge` folds into the base, a linear probe as a whole HF
    // folder; both run as the adapted model did. Bottleneck adapters are refused up front.
    void adaptWritesItsResult_data()
    {
        QTest::addColumn<QString>("method");
        QTest::newRow("lora") << "lora";
        QTest::newRow("linear") << "linear";
    }
    void adaptWritesItsResult()
    {
        QFETCH(QString, method);
        QTemporaryDir dir;
        const QString out = dir.path() + "/" + method;
        const CliRun run = runCli({"adapt", kVit, "--task", task_, "--method", method, "--epochs", "1", "-o", out, "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const double reported = QJsonDocument::fromJson(run.out).object()["test_accuracy"].toDouble();
        QString model = out;
        if (method == "lora") {
            QCOMPARE(readJsonFile(out + "/adapter_config.json")["peft_type"].toString(), QString("LORA"));
            model = dir.path() + "/merged";
            const CliRun merged = runCli({"merge", out, "-o", model});
            QVERIFY2(merged.exitCode == 0, merged.err.constData());
        }
        const double accuracy = testAccuracy(model);
        QVERIFY2(std::abs(accuracy - reported) <= kSameFashionAccuracy, qPrintable(QString("%1 vs %2").arg(accuracy).arg(reported)));
    }

    // A folder of MNIST-style IDX files is a task: Debian's Fashion-MNIST folder trains and
    // tests exactly as t3, which reads those files.
    void aFolderOfIdxFilesIsATask()
    {
        QByteArray results[2];
        int i = 0;
        for (const QString &task : {QString("t3"), kDebianFashion}) {
            const CliRun run = runCli({"adapt", kVit, "--task", task, "--method", "linear", "--epochs", "1", "--json"});
            QVERIFY2(run.exitCode == 0, run.err.constData());
            QJsonObject o = QJsonDocument::fromJson(run.out).object();
            o.remove("output");
            results[i++] = QJsonDocument(o).toJson();
        }
        QCOMPARE(results[1], results[0]);
        const CliRun missing = runCli({"adapt", kVit, "--task", QDir::tempPath(), "--method", "linear"});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(QString(missing.err).contains("train-images-idx3-ubyte.gz: no such file"), missing.err.constData());
    }

    void adaptRefusesToWriteBottlenecks()
    {
        QTemporaryDir dir;
        const CliRun run = runCli({"adapt", kVit, "--task", task_, "--method", "bottleneck", "-o", dir.path() + "/b"});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString(run.err).contains("bottleneck"), run.err.constData());
        QVERIFY(!QFileInfo::exists(dir.path() + "/b"));
    }

    // --adapter names an adapter kind as heads, heat and pear name what trains.
    void adaptTakesTheAdapterByItsName()
    {
        const CliRun run = runCli({"adapt", kVit, "--task", task_, "--adapter", "bottleneck", "--epochs", "1", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QJsonDocument::fromJson(run.out).object()["method"].toString(), QString("bottleneck"));
        for (const QStringList &bad : {QStringList{"--adapter", "full"}, QStringList{"--adapter", "lora", "--method", "lora"}}) {
            const CliRun refused = runCli(QStringList{"adapt", kVit, "--task", task_} + bad);
            QCOMPARE(refused.exitCode, 2);
            QVERIFY2(QString(refused.err).contains("--adapter names an adapter kind (lora, bottleneck, lily)"),
                     refused.err.constData());
        }
    }

    void adaptRefusesAnUnknownMethod()
    {
        const CliRun run = runCli({"adapt", kVit, "--task", task_, "--method", "prefix"});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString(run.err).contains("unknown fine-tuning method 'prefix'"), run.err.constData());
    }

    void answersHelp()
    {
        for (const char *command : {"heads", "heat", "adapt"}) {
            const CliRun run = runCli({command, "--help"});
            QCOMPARE(run.exitCode, 0);
            QVERIFY(run.out.contains("--task"));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliHeads)
#include "test_cli_heads.moc"
