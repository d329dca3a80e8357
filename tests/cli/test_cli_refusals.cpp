// What sculpt-cli refuses, and how: before any work, in one line naming the file and the
// reason, exit 2 — and never at the cost of a file the user made.

#include "cli_runner.h"
#include "idx_files.h"
#include "test_files.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <sys/stat.h>

using sculpt::test::CliRun;
using sculpt::test::runCli;

namespace {

const QString kModel = QStringLiteral(SCULPT_MODELS_DIR "/fortunes-llama");
const QString kText = kModel + "/heldout.txt";

QByteArray contents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool isOneLine(const CliRun &run) { return run.err.count('\n') == 1; }

// A llama2.c tokenizer (tok*.bin) cut short inside its third entry.
QByteArray truncatedLlama2cTokenizer()
{
    QByteArray file;
    sculpt::test::append(file, int32_t(8));
    for (const char *piece : {"<unk>", "\n<s>\n", "\n</s>\n"}) {
        sculpt::test::append(file, 0.0f);
        sculpt::test::append(file, int32_t(std::strlen(piece)));
        file += piece;
    }
    return file.left(file.size() - 3);
}

} // namespace

class TestCliRefusals : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void refusedWithoutWork_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("-o empty") << QStringList{"compress", "MODEL", "--method", "svd", "--ratio", "0.3", "-o", ""}
                                  << "-o needs a folder name";
        QTest::newRow("-o not Sculpt's") << QStringList{"compress", "MODEL", "--method", "soco", "--ratio", "0.3", "--calib",
                                                        "TEXT", "-o", "DIR/theirs"}
                                         << "DIR/theirs: exists and is not a folder Sculpt exported";
        // The output is checked before the model is even opened.
        QTest::newRow("-o before the model") << QStringList{"compress", "DIR/absent", "--method", "svd", "--ratio", "0.3",
                                                            "-o", "DIR/theirs"}
                                             << "DIR/theirs: exists and is not a folder Sculpt exported";
        QTest::newRow("--calib empty") << QStringList{"compress", "MODEL", "--method", "asvd", "--ratio", "0.3", "--calib",
                                                      "DIR/empty.txt", "-o", "DIR/out"}
                                       << "DIR/empty.txt: is empty";
        QTest::newRow("--calib binary") << QStringList{"compress", "MODEL", "--method", "asvd", "--ratio", "0.3", "--calib",
                                                       "MODEL/model.safetensors", "-o", "DIR/out"}
                                        << "is not UTF-8 text (byte 0x";
        QTest::newRow("--text binary") << QStringList{"eval", "MODEL", "--text", "MODEL/model.safetensors"}
                                       << "model.safetensors: is not UTF-8 text (byte 0x";
        QTest::newRow("--text FIFO") << QStringList{"eval", "MODEL", "--text", "DIR/fifo"} << "DIR/fifo: is not a regular file";
        QTest::newRow("inspect FIFO") << QStringList{"inspect", "DIR/fifo"} << "DIR/fifo: is not a regular file";
        QTest::newRow("--workspace FIFO") << QStringList{"spectra", "MODEL", "--workspace", "DIR/fifo"}
                                          << "DIR/fifo: is not a regular file";
        QTest::newRow("--workspace empty") << QStringList{"spectra", "MODEL", "--workspace", ""}
                                           << "--workspace needs a file name";
        QTest::newRow("--max-docs 0") << QStringList{"eval", "MODEL", "--text", "TEXT", "--max-docs", "0"}
                                      << "--max-docs takes a whole number ≥ 1, not '0'";
        QTest::newRow("truncated tok.bin") << QStringList{"eval", "MODEL", "--text", "TEXT", "--tokenizer", "DIR/tok8.bin"}
                                           << "DIR/tok8.bin: llama2.c tokenizer truncated at byte 41";
        QTest::newRow("tokenizer.json overflow") << QStringList{"eval", "MODEL", "--text", "TEXT", "--tokenizer",
                                                                "DIR/tokenizer.json"}
                                                 << "DIR/tokenizer.json: tokenizer.json is not valid JSON";
        QTest::newRow("sidecar overflow") << QStringList{"eval", "MODEL/model.safetensors", "--images", "DIR/x", "--labels",
                                                         "DIR/y", "--config", "DIR/sidecar.json"}
                                          << "DIR/sidecar.json: the sidecar config is not valid JSON";
    }
    void refusedWithoutWork()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        QVERIFY(QDir().mkpath(dir.filePath("theirs")));
        sculpt::test::writeFile(dir.filePath("theirs/keep.txt"), "mine");
        sculpt::test::writeFile(dir.filePath("empty.txt"), "");
        sculpt::test::writeFile(dir.filePath("tok8.bin"), truncatedLlama2cTokenizer());
        sculpt::test::writeFile(dir.filePath("tokenizer.json"), R"({"model": {"type": "BPE", "dropout": 1e999}})");
        sculpt::test::writeFile(dir.filePath("sidecar.json"), R"({"image_size": 1e999})");
        sculpt::test::writeFile(dir.filePath("x"), sculpt::test::idxFile(sculpt::test::kIdxImages, {1, 28, 28}, QByteArray(784, '\0')));
        sculpt::test::writeFile(dir.filePath("y"), sculpt::test::idxFile(sculpt::test::kIdxLabels, {1}, QByteArray(1, '\0')));
        QCOMPARE(::mkfifo(dir.filePath("fifo").toLocal8Bit().constData(), 0600), 0);
        args.replaceInStrings("MODEL", kModel);
        args.replaceInStrings("TEXT", kText);
        args.replaceInStrings("DIR", dir.path());
        mentions.replace("DIR", dir.path());
        const CliRun run = runCli(args, 60000);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString::fromUtf8(run.err).contains(mentions) && isOneLine(run), run.err.constData());
        QCOMPARE(contents(dir.filePath("theirs/keep.txt")), QByteArray("mine"));
        QVERIFY(!QFileInfo::exists(dir.filePath("out")));
    }

    // An earlier export the user has since added to is theirs now.
    void exportTheUserAddedToIsKept()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("out");
        const QStringList args{"compress", kModel, "--method", "svd", "--ratio", "0.3", "-o", out};
        const CliRun first = runCli(args);
        QVERIFY2(first.exitCode == 0, first.err.constData());
        const CliRun again = runCli(args); // its own earlier export is replaced
        QVERIFY2(again.exitCode == 0, again.err.constData());
        sculpt::test::writeFile(out + "/NOTES.txt", "what I found");
        const CliRun refused = runCli(args);
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("holds files Sculpt did not write (NOTES.txt)") && isOneLine(refused),
                 refused.err.constData());
        QCOMPARE(contents(out + "/NOTES.txt"), QByteArray("what I found"));
        QVERIFY(QFileInfo::exists(out + "/model.safetensors"));
    }

    // A log is appended to, never emptied — also when the run is refused.
    void existingLogKeepsItsContent()
    {
        QTemporaryDir dir;
        const QString log = dir.filePath("run.log");
        sculpt::test::writeFile(log, "earlier notes\n");
        QVERIFY(QDir().mkpath(dir.filePath("theirs")));
        const CliRun refused =
            runCli({"compress", kModel, "--method", "svd", "--ratio", "0.3", "--log", log, "-o", dir.filePath("theirs")});
        QCOMPARE(refused.exitCode, 2);
        QCOMPARE(contents(log), QByteArray("earlier notes\n"));
        const CliRun ran =
            runCli({"compress", kModel, "--method", "svd", "--ratio", "0.3", "--log", log, "-o", dir.filePath("out")});
        QVERIFY2(ran.exitCode == 0, ran.err.constData());
        QVERIFY(contents(log).startsWith("earlier notes\n"));
    }

    void readOnlyOutputIsOneLine()
    {
        QTemporaryDir dir;
        QProcess p;
        p.start("unshare", {"--mount", "sh", "-c",
                            QString("mount -t tmpfs -o ro tmpfs '%1' || exit 99; '%2' compress '%3' --method svd --ratio 0.3 -o '%1/out'")
                                .arg(dir.path(), QStringLiteral(SCULPT_CLI_PATH), kModel)});
        QVERIFY(p.waitForFinished(60000));
        if (p.exitCode() == 99 || (p.exitCode() == 1 && p.readAllStandardError().contains("unshare")))
            QSKIP("no read-only file system to try (unshare --mount needs root)");
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(err.contains("Read-only file system") && err.count('\n') == 1, err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliRefusals)
#include "test_cli_refusals.moc"
