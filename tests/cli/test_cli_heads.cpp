// `sculpt-cli heads`, `heat` and `adapt` on the bundled fashion-vit and task t3 (Debian's
// Fashion-MNIST, always installed): a layers × heads table of scores, the strategies by name,
// masking, each fine-tuning method; bad requests refused with one line and exit 2.

#include "cli_runner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

using namespace sculpt::test;

namespace {
const QString kVit = QStringLiteral(SCULPT_MODELS_DIR "/fashion-vit");
}

class TestCliHeads : public QObject {
    Q_OBJECT
private Q_SLOTS:
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

    // HEAT on t3: a quarter of the 16 heads masked, then fine-tuned on and measured.
    void heatMasksAndMeasures()
    {
        const CliRun run = runCli({"heat", kVit, "--task", "t3", "--strategy", "gate", "--mask", "0.25", "--epochs", "1",
                                   "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(o["masked"].toArray().size(), 4);
        QVERIFY2(o["test_accuracy"].toDouble() > 0.7, run.out.constData());
        const CliRun perLayer = runCli({"heat", kVit, "--task", "t3", "--strategy", "magnitude", "--mask", "0.5",
                                        "--per-layer", "--epochs", "0", "--json"});
        QVERIFY2(perLayer.exitCode == 0, perLayer.err.constData());
        const QJsonArray masked = QJsonDocument::fromJson(perLayer.out).object()["masked"].toArray();
        QCOMPARE(masked.size(), 8);
        for (int layer = 0; layer < 4; ++layer) // two of each layer's four
            QCOMPARE(std::count_if(masked.begin(), masked.end(),
                                   [&](const QJsonValue &v) { return v.toArray()[0].toInt() == layer; }),
                     2);
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
        const CliRun run = runCli(QStringList{"heat", kVit, "--task", "t3", "--strategy", "gate"} + args);
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
        const CliRun run = runCli({"adapt", kVit, "--task", "t3", "--method", method, "--epochs", "1", "--lr",
                                   method == "full" ? "1e-4" : "1e-2", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        QVERIFY2(o["trainable"].toInt() >= low && o["trainable"].toInt() <= high, run.out.constData());
        QCOMPARE(o["epochs"].toArray().size(), 1);
        QVERIFY2(o["test_accuracy"].toDouble() > 0.7, run.out.constData());
    }

    void adaptRefusesAnUnknownMethod()
    {
        const CliRun run = runCli({"adapt", kVit, "--task", "t3", "--method", "prefix"});
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
