// `sculpt-cli spectra` as a user runs it: output formats, the workspace, bad input, stop signals.

#include "cli_runner.h"
#include "tensor_files.h"

#include "analysis/content_hash.h"
#include "io/formats.h"
#include "workspace/workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <csignal>
#include <random>

using sculpt::test::runCli;

namespace {

// Float32 Gaussian matrices large enough that the whole model takes several seconds of CPU;
// the first (layers.0, file order) is small.
QString writeSlowModel(const QTemporaryDir &dir)
{
    std::mt19937_64 rng(3);
    std::normal_distribution<float> normal;
    std::vector<sculpt::test::Tensor> tensors;
    for (int l = 0; l < 12; ++l) {
        const int64_t n = l == 0 ? 64 : 2000;
        std::vector<float> w(size_t(n * n));
        for (float &v : w)
            v = normal(rng);
        tensors.push_back({"layers." + std::to_string(l) + ".weight", sculpt::DType::F32, {n, n},
                           QByteArray(reinterpret_cast<const char *>(w.data()), qsizetype(w.size() * 4))});
    }
    const QString path = dir.filePath("slow.safetensors");
    sculpt::test::writeTensors(path, tensors);
    return path;
}

// Waits until the CLI's progress lines (SCULPT_PROGRESS=lines) say at least one matrix is done,
// or it ends. Its own word, not a wait: on a machine loaded by other tests neither wall time
// nor CPU time says when the first matrix is finished.
void waitForFirstMatrix(QProcess &p, QByteArray &err)
{
    static const QRegularExpression done(QStringLiteral("^progress ([1-9][0-9]*)/"), QRegularExpression::MultilineOption);
    while (!done.match(QString::fromUtf8(err)).hasMatch() && p.state() == QProcess::Running) {
        p.waitForReadyRead(100);
        err += p.readAllStandardError();
    }
}

} // namespace

class TestCliSpectra : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jsonOfStories260K()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        QTemporaryDir dir;
        const QString workspace = dir.filePath("ws.h5");
        const auto run = runCli({"spectra", path, "--json", "--workspace", workspace, "--match", "layers\\.0\\."});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject root = QJsonDocument::fromJson(run.out).object();
        const QJsonArray tensors = root["tensors"].toArray();
        QCOMPARE(tensors.size(), 7);
        QCOMPARE(root["skipped"].toArray().size(), 2); // the layer's two norms
        for (const auto &value : tensors) {
            const QJsonObject t = value.toObject();
            const QJsonArray sv = t["singular_values"].toArray();
            QCOMPARE(qsizetype(sv.size()), qsizetype(std::min(t["shape"][0].toInt(), t["shape"][1].toInt())));
            for (qsizetype i = 1; i < sv.size(); ++i)
                QVERIFY(sv[i].toDouble() <= sv[i - 1].toDouble());
            const QJsonObject m = t["metrics"].toObject();
            for (const char *key : {"stable_rank", "effective_rank", "alpha", "alpha_xmin", "alpha_ks", "spectral_norm",
                                    "frobenius_norm", "rank_90", "rank_95", "rank_99", "breakeven_rank"})
                QVERIFY2(m.contains(key), key);
            QCOMPARE(m["spectral_norm"].toDouble(), sv[0].toDouble());
        }
        QVERIFY(QFileInfo::exists(workspace));

        // Again: everything comes from the workspace.
        const auto again = runCli({"spectra", path, "--json", "--workspace", workspace, "--match", "layers\\.0\\."});
        for (const auto &value : QJsonDocument::fromJson(again.out).object()["tensors"].toArray())
            QVERIFY(value.toObject()["reused"].toBool());
    }

    void csvHasOneRowPerMatrix()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        QTemporaryDir dir;
        const auto run = runCli({"spectra", path, "--csv", "--topk", "8", "--workspace", dir.filePath("ws.h5")});
        QCOMPARE(run.exitCode, 0);
        const QStringList lines = QString::fromUtf8(run.out).trimmed().split('\n');
        QVERIFY(lines[0].startsWith("name,rows,cols,spectral_norm"));
        QCOMPARE(lines.size(), 1 + 37);
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("bad regex") << QStringList{"spectra", "MODEL", "--match", "(("} << "--match";
        QTest::newRow("bad topk") << QStringList{"spectra", "MODEL", "--topk", "zero"} << "--topk";
        QTest::newRow("no path") << QStringList{"spectra"} << "usage";
        QTest::newRow("workspace not HDF5") << QStringList{"spectra", "MODEL", "--workspace", "TEXT"} << "not an HDF5 file";
    }
    void badInput()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const QString text = dir.filePath("notes.h5");
        sculpt::test::writeFile(text, "my precious notes\n");
        args.replaceInStrings("MODEL", model);
        args.replaceInStrings("TEXT", text);
        const auto run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString::fromUtf8(run.err).contains(mentions), run.err.constData());
        QFile f(text);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("my precious notes\n")); // never overwritten
    }

    // Matrices finished before the signal are saved.
    void stopSignalKeepsFinishedWork_data() { sculpt::test::addStopSignalRows(); }
    void stopSignalKeepsFinishedWork()
    {
        QFETCH(int, signal);
        QTemporaryDir dir;
        const QString model = writeSlowModel(dir);
        const QString workspace = dir.filePath("ws.h5");
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SCULPT_PROGRESS", "lines");
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(SCULPT_CLI_PATH), {"spectra", model, "--workspace", workspace});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        // The first 2000² matrix done leaves ten more of a second of CPU each: the signal lands mid-run.
        waitForFirstMatrix(p, err);
        ::kill(pid_t(p.processId()), signal);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 128 + signal);
        err += p.readAllStandardError();
        QVERIFY2(err.contains("progress 0/12 matrices") && err.contains("cancelled"), err.constData());

        const auto checkpoint = sculpt::openCheckpoint(model.toStdString());
        const auto saved = sculpt::Workspace::open(workspace.toStdString(),
                                                   {model.toStdString(), sculpt::modelFingerprint(*checkpoint)});
        const size_t finished = saved.tensors().size();
        QVERIFY2(finished >= 1 && finished < 12, qPrintable(QString::number(finished)));
    }
};

QTEST_GUILESS_MAIN(TestCliSpectra)
#include "test_cli_spectra.moc"
