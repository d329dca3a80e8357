// `sculpt-cli generate` and `sculpt-cli eval` as a user runs them: the stories260K sample,
// the perplexity reference, bad input, stop signals, and sculpt-cli without its runtime module.

#include "cli_runner.h"
#include "test_files.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <csignal>

using sculpt::test::runCli;

namespace {

const QByteArray kSample = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";

} // namespace

class TestCliRuntime : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void greedyFromBos()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        // The tokenizer is found beside the model (tok512.bin).
        const auto run = runCli({"generate", model, "--prompt", "", "--max-tokens", "40"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.startsWith(kSample), run.out.constData());
    }

    void continuesAPrompt()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(tok, "stories260K/tok512.model");
        const auto run = runCli({"generate", model, "--tokenizer", tok, "--prompt", "Once upon a time, there was",
                                 "--max-tokens", "20"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.startsWith(kSample.left(50)), run.out.constData());
    }

    void samplingIsReproducible()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        const QStringList args{"generate", model, "--prompt", "Tom", "--temperature", "0.9", "--seed", "42",
                               "--max-tokens", "30"};
        const auto first = runCli(args), second = runCli(args);
        QVERIFY2(first.exitCode == 0, first.err.constData());
        QVERIFY(first.out.startsWith("Tom"));
        QCOMPARE(second.out, first.out);
    }

    void perplexityJson()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(text, "tinystories_valid_sample/tinystories_val.txt");
        const auto run = runCli({"eval", model, "--text", text, "--max-docs", "300", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject r = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(r["documents"].toInt(), 300);
        QCOMPARE(r["tokens"].toInt(), 29256);
        QVERIFY2(std::abs(r["mean_nll"].toDouble() - 1.435) < 5e-4, run.out.constData());
        QVERIFY2(std::abs(r["perplexity"].toDouble() - 4.20) < 5e-3, run.out.constData());
    }

    void perplexityTable()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(text, "tinystories_valid_sample/tinystories_val.txt");
        const auto run = runCli({"eval", model, "--text", text, "--max-docs", "3"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.contains("documents   3\n") && run.out.contains("mean NLL") && run.out.contains("perplexity"),
                 run.out.constData());
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("eval without --text") << QStringList{"eval", "MODEL"} << "usage";
        QTest::newRow("eval missing text") << QStringList{"eval", "MODEL", "--text", "DIR/absent.txt"} << "absent.txt";
        QTest::newRow("bad --max-docs") << QStringList{"eval", "MODEL", "--text", "TEXT", "--max-docs", "-3"}
                                        << "--max-docs";
        QTest::newRow("generate without --prompt") << QStringList{"generate", "MODEL"} << "usage";
        QTest::newRow("bad temperature") << QStringList{"generate", "MODEL", "--prompt", "", "--temperature", "hot"}
                                         << "--temperature";
        QTest::newRow("unknown option") << QStringList{"generate", "MODEL", "--prompt", "", "--top-k", "3"} << "--top-k";
        QTest::newRow("not a model") << QStringList{"generate", "TEXT", "--prompt", ""} << "TEXT";
        QTest::newRow("not a tokenizer") << QStringList{"generate", "MODEL", "--prompt", "", "--tokenizer", "TEXT"}
                                         << "neither";
        QTest::newRow("no tokenizer beside") << QStringList{"generate", "LONELY", "--prompt", ""} << "--tokenizer PATH";
        QTest::newRow("prompt too long") << QStringList{"generate", "MODEL", "--prompt", "LONG"} << "context";
    }
    void badInput()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const QString text = dir.filePath("notes.txt"), lonely = dir.filePath("stories260K.bin");
        sculpt::test::writeFile(text, "Once upon a time.\n\nThe end.\n");
        QVERIFY(QFile::copy(model, lonely));
        args.replaceInStrings("MODEL", model);
        args.replaceInStrings("TEXT", text);
        args.replaceInStrings("LONELY", lonely);
        args.replaceInStrings("DIR", dir.path());
        args.replaceInStrings("LONG", QString("word ").repeated(600));
        mentions.replace("TEXT", text);
        const auto run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString::fromUtf8(run.err).contains(mentions), run.err.constData());
        if (!run.err.startsWith("usage"))
            QCOMPARE(run.err.count('\n'), 1);
    }

    void stopSignalStopsAnEvaluation_data() { sculpt::test::addStopSignalRows(); }
    void stopSignalStopsAnEvaluation()
    {
        QFETCH(int, signal);
        const QString model = QStringLiteral(SCULPT_MODELS_DIR "/fortunes-llama");
        QTemporaryDir dir;
        QFile f(model + "/heldout.txt");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString big = dir.filePath("big.txt");
        sculpt::test::writeFile(big, f.readAll().repeated(20)); // minutes of work
        QProcess p;
        p.start(QStringLiteral(SCULPT_CLI_PATH), {"eval", model, "--text", big});
        QVERIFY(p.waitForStarted());
        QTest::qWait(3000);
        ::kill(pid_t(p.processId()), signal);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 128 + signal);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("cancelled"));
    }

    void withoutTheRuntimeModule()
    {
        // A sculpt-cli alone in a folder, as a build without LibTorch leaves it.
        QTemporaryDir dir;
        const QString cli = dir.filePath("sculpt-cli");
        QVERIFY(QFile::copy(QStringLiteral(SCULPT_CLI_PATH), cli));
        QProcess p;
        p.start(cli, {"generate", "model.bin", "--prompt", ""});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("sculpt-cli-runtime.so") && err.count('\n') == 1, qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestCliRuntime)
#include "test_cli_runtime.moc"
