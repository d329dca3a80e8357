// The layout model through sculpt-cli on OpenMantra's real pages (../shared, skipped when
// absent): zoo --only layout trains and checks it, generate lays out pages from it, compress
// --method svd makes a copy that generates too, and so does svd-llm calibrated on the pages;
// bad requests are one line and exit 2.

#include "cli_runner.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using sculpt::test::CliRun;
using sculpt::test::runCli;

namespace {

const QString kOpenMantra = QStringLiteral(SCULPT_SHARED_DIR "/datasets/openmantra");

bool isOneLine(const CliRun &run) { return run.err.count('\n') == 1; }

QString describe(const CliRun &run) { return QString::fromUtf8(run.out + run.err); }

} // namespace

class TestCliLayout : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString model_;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath("manga-layout");
    }

    // Refused before any data is read.
    void zooNeedsItsFolders()
    {
        for (const QStringList &args : {QStringList{"zoo", "--only", "layout", "--out", dir_.filePath("x")},
                                        QStringList{"zoo", "--only", "layout", "--data", kOpenMantra},
                                        QStringList{"zoo", "--only", "layout", "--data", kOpenMantra, "--out",
                                                    dir_.filePath("x"), "--epochs", "2"},
                                        QStringList{"zoo", "--only", "vit", "--steps", "10"}}) {
            const CliRun run = runCli(args);
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(isOneLine(run), qPrintable(describe(run)));
        }
        QVERIFY(!QFileInfo::exists(dir_.filePath("x")));
    }

    void zooTrainsGeneratesAndCompresses()
    {
        if (!QFileInfo::exists(kOpenMantra + "/annotation.json"))
            QSKIP("../shared/datasets/openmantra is absent");
        const CliRun trained =
            runCli({"zoo", "--only", "layout", "--data", kOpenMantra, "--out", model_, "--steps", "150"}, 280000);
        QVERIFY2(trained.exitCode == 0, qPrintable(describe(trained)));
        QVERIFY2(trained.out.contains("held out (tojime_no_siora)"), trained.out.constData());
        QVERIFY(trained.out.contains("regenerated within"));
        QVERIFY(QFileInfo::exists(model_ + "/config.json") && QFileInfo::exists(model_ + "/model.safetensors"));

        const auto panels = [](const CliRun &run) {
            return QJsonDocument::fromJson(run.out).object()["panels"].toArray();
        };
        const QStringList ask{"generate", model_, "--panels", "5", "--seed", "3", "--steps", "20", "--json"};
        const CliRun first = runCli(ask), again = runCli(ask);
        QVERIFY2(first.exitCode == 0, qPrintable(describe(first)));
        QCOMPARE(panels(first).size(), 5);
        QCOMPARE(again.out, first.out);
        const QJsonObject json = QJsonDocument::fromJson(first.out).object();
        QCOMPARE(json["seed"].toInt(), 3);
        QCOMPARE(json["aspect"].toDouble(), 1.5);
        for (const QJsonValue &p : panels(first)) {
            const QJsonObject box = p.toObject();
            QVERIFY(box["x0"].toDouble() >= 0 && box["x0"].toDouble() <= box["x1"].toDouble() && box["x1"].toDouble() <= 1);
            QVERIFY(box["y0"].toDouble() >= 0 && box["y0"].toDouble() <= box["y1"].toDouble() && box["y1"].toDouble() <= 1.5);
        }
        const CliRun text = runCli({"generate", model_, "--panels", "3", "--aspect", "1.4"});
        QCOMPARE(text.exitCode, 0);
        QCOMPARE(text.out.count('\n'), 3);
        QVERIFY(text.out.startsWith("1  "));

        for (const QStringList &bad : {QStringList{"--panels", "0"}, QStringList{"--panels", "13"},
                                       QStringList{"--panels", "4", "--steps", "0"}, QStringList{"--panels", "4", "--steps", "5000"},
                                       QStringList{"--panels", "4", "--prompt", "hi"}, QStringList{"--seed", "1"}}) {
            const CliRun run = runCli(QStringList{"generate", model_} + bad);
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(isOneLine(run), qPrintable(describe(run)));
        }

        const CliRun inspected = runCli({"inspect", model_, "--json"});
        QCOMPARE(inspected.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(inspected.out).object()["architecture"].toString(), QString("layout"));
        QVERIFY(inspected.out.contains("\"modulation\""));

        const QString compressed = dir_.filePath("svd");
        const CliRun svd = runCli({"compress", model_, "--method", "svd", "--ratio", "0.4", "-o", compressed, "--workspace",
                                   dir_.filePath("w.sculpt")});
        QVERIFY2(svd.exitCode == 0, qPrintable(describe(svd)));
        const CliRun fromSvd = runCli({"generate", compressed, "--panels", "5", "--seed", "3", "--steps", "20", "--json"});
        QVERIFY2(fromSvd.exitCode == 0, qPrintable(describe(fromSvd)));
        QCOMPARE(panels(fromSvd).size(), 5);

        // A data-aware pass calibrates on the annotated pages themselves; text is no calibration
        // for a layout model.
        const QString whitened = dir_.filePath("svd-llm");
        const CliRun svdLlm = runCli({"compress", model_, "--method", "svd-llm", "--ratio", "0.4", "--calib", kOpenMantra,
                                      "--calib-count", "16", "-o", whitened, "--workspace", dir_.filePath("w.sculpt"),
                                      "--json"});
        QVERIFY2(svdLlm.exitCode == 0, qPrintable(describe(svdLlm)));
        QVERIFY(QJsonDocument::fromJson(svdLlm.out).object()["ratio"].toDouble() > 0.3);
        const CliRun fromSvdLlm = runCli({"generate", whitened, "--panels", "4", "--seed", "3", "--steps", "20", "--json"});
        QVERIFY2(fromSvdLlm.exitCode == 0, qPrintable(describe(fromSvdLlm)));
        QCOMPARE(panels(fromSvdLlm).size(), 4);

        QFile notPages(dir_.filePath("calibration.txt"));
        QVERIFY(notPages.open(QIODevice::WriteOnly));
        notPages.write("Once upon a time.\n\nThe end.\n");
        notPages.close();
        for (const QStringList &calibration : {QStringList{}, QStringList{"--calib", notPages.fileName()}}) {
            const CliRun refused = runCli(QStringList{"compress", model_, "--method", "svd-llm", "--ratio", "0.4", "-o",
                                                      dir_.filePath("refused")} + calibration);
            QCOMPARE(refused.exitCode, 2);
            QVERIFY2(isOneLine(refused), qPrintable(describe(refused)));
        }
        QVERIFY(!QFileInfo::exists(dir_.filePath("refused")));
    }
};

QTEST_GUILESS_MAIN(TestCliLayout)
#include "test_cli_layout.moc"
