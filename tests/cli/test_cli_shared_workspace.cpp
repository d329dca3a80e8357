// Two sculpt-cli processes saving into one workspace at once, as the window, the CLI and
// cluster jobs will: neither loses the other's work. And what the CLI measures and compresses
// lands in the model's workspace, where the window lists it.

#include "cli_runner.h"

#include "analysis/content_hash.h"
#include "io/formats.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QString kModel = QStringLiteral(SCULPT_MODELS_DIR "/fortunes-llama");

size_t countMatching(const std::vector<std::string> &names, const std::string &part)
{
    return size_t(std::count_if(names.begin(), names.end(), [&](const std::string &n) { return n.find(part) != std::string::npos; }));
}

} // namespace

class TestCliSharedWorkspace : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void concurrentSpectraKeepEachOthersWork()
    {
        const auto checkpoint = sculpt::openCheckpoint(kModel.toStdString());
        const sculpt::ModelIdentity identity{kModel.toStdString(), sculpt::modelFingerprint(*checkpoint)};
        QTemporaryDir dir;
        for (int round = 0; round < 20; ++round) {
            const QString workspace = dir.filePath(QString("ws-%1.h5").arg(round));
            QProcess first, second;
            first.start(QStringLiteral(SCULPT_CLI_PATH), {"spectra", kModel, "--workspace", workspace, "--match", "layers\\.0\\."});
            second.start(QStringLiteral(SCULPT_CLI_PATH), {"spectra", kModel, "--workspace", workspace, "--match", "layers\\.1\\."});
            QVERIFY(first.waitForFinished(60000) && second.waitForFinished(60000));
            QVERIFY2(first.exitCode() == 0, first.readAllStandardError().constData());
            QVERIFY2(second.exitCode() == 0, second.readAllStandardError().constData());
            const std::vector<std::string> saved = sculpt::Workspace::open(workspace.toStdString(), identity).tensors();
            QVERIFY2(countMatching(saved, "layers.0.") == 7 && countMatching(saved, "layers.1.") == 7,
                     qPrintable(QString("round %1: %2 tensors saved").arg(round).arg(saved.size())));
        }
        // Nothing half-written is left beside them; the lock files stay (removing one races).
        for (const QString &name : QDir(dir.path()).entryList(QDir::Files))
            QVERIFY2(name.endsWith(".h5") || name.endsWith(".h5.lock"), qPrintable(name));
    }

    void evaluationsAndPassesAreRecorded()
    {
        if (!QFileInfo::exists(QFileInfo(QStringLiteral(SCULPT_CLI_PATH)).dir().filePath("sculpt-cli-runtime.so")))
            QSKIP("a build without LibTorch runs no model");
        const auto checkpoint = sculpt::openCheckpoint(kModel.toStdString());
        const sculpt::ModelIdentity identity{kModel.toStdString(), sculpt::modelFingerprint(*checkpoint)};
        QTemporaryDir dir;
        const QString workspace = dir.filePath("ws.h5");
        const auto eval = sculpt::test::runCli(
            {"eval", kModel, "--text", kModel + "/heldout.txt", "--max-docs", "5", "--workspace", workspace, "--json"});
        QVERIFY2(eval.exitCode == 0, eval.err.constData());
        const auto compress = sculpt::test::runCli({"compress", kModel, "--method", "svd", "--ratio", "0.3", "-o",
                                                    dir.filePath("out"), "--workspace", workspace});
        QVERIFY2(compress.exitCode == 0, compress.err.constData());
        const sculpt::Workspace saved = sculpt::Workspace::open(workspace.toStdString(), identity);
        QCOMPARE(saved.evaluations().size(), size_t(1));
        QCOMPARE(saved.evaluations()[0].metric, std::string("perplexity"));
        QCOMPARE(saved.evaluations()[0].settings.at("max_documents"), std::string("5"));
        QVERIFY(!saved.evaluations()[0].modelHash.empty());
        QCOMPARE(saved.passes().size(), size_t(1));
        QCOMPARE(saved.passes()[0].summary.method, std::string("svd"));
        QCOMPARE(saved.passes()[0].exportPath, QFileInfo(dir.filePath("out")).absoluteFilePath().toStdString());
    }
};

QTEST_GUILESS_MAIN(TestCliSharedWorkspace)
#include "test_cli_shared_workspace.moc"
