// sculpt-cli compress as a user runs it: the JSON summary, an output that sculpt-cli eval
// accepts and scores as compress did, and one-line refusals of bad input.

#include "cli_runner.h"
#include "test_files.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace sculpt::test;

class TestCliCompress : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void compressThenEvaluate()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(tokenizer, "stories260K/tok512.model");
        SCULPT_REQUIRE_SHARED(text, "tinystories_valid_sample/tinystories_val.txt");
        QTemporaryDir dir;
        const QString out = dir.filePath("compressed");
        const CliRun run = runCli({"compress", model, "--tokenizer", tokenizer, "--method", "asvd", "--ratio", "0.3",
                                   "--calib", text, "--calib-count", "16", "-o", out, "--eval", text, "--eval-count", "10",
                                   "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(summary["method"].toString(), QString("asvd"));
        QVERIFY(summary["ratio"].toDouble() >= 0.3);
        QCOMPARE(summary["parameters_before"].toInteger(), 260032);
        QVERIFY(summary["parameters_after"].toInteger() < 260032);
        QCOMPARE(summary["ranks"].toObject().size(), 35);
        QVERIFY(summary["ranks"].toObject()["model.layers.4.mlp.down_proj"].toObject()["rank"].toInt() > 0);
        QCOMPARE(summary["output"].toString(), out);

        // The written model carries its tokenizer and scores what compress reported.
        const CliRun eval = runCli({"eval", out, "--text", text, "--max-docs", "10", "--json"});
        QVERIFY2(eval.exitCode == 0, eval.err.constData());
        const double reported = summary["evaluation"].toObject()["perplexity"].toDouble();
        const double measured = QJsonDocument::fromJson(eval.out).object()["perplexity"].toDouble();
        QVERIFY2(std::abs(reported - measured) < 1e-4 * reported, qPrintable(QString("%1 vs %2").arg(reported).arg(measured)));
    }

    void listNamesEveryMethod()
    {
        const CliRun run = runCli({"compress", "--list"});
        QCOMPARE(run.exitCode, 0);
        for (const char *m : {"svd ", "fwsvd ", "asvd ", "svd-llm ", "soco "})
            QVERIFY2(run.out.contains(m), m);
        QVERIFY(run.out.contains("--set alpha=0.5"));
    }

    void badInputIsOneLine_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown method") << QStringList{"--method", "lora", "--ratio", "0.4"} << "no method 'lora'";
        QTest::newRow("ratio of 1.5") << QStringList{"--method", "svd", "--ratio", "1.5"} << "--ratio takes a number";
        QTest::newRow("no calibration") << QStringList{"--method", "svd-llm", "--ratio", "0.4"} << "needs calibration text";
        QTest::newRow("unknown setting") << QStringList{"--method", "svd", "--ratio", "0.4", "--set", "alpha=1"}
                                         << "has no setting 'alpha'";
        QTest::newRow("malformed setting") << QStringList{"--method", "asvd", "--ratio", "0.4", "--set", "alpha"}
                                           << "--set takes KEY=VALUE";
    }
    void badInputIsOneLine()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(tokenizer, "stories260K/tok512.model");
        QFETCH(QStringList, extra);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const CliRun run = runCli(QStringList{"compress", model, "--tokenizer", tokenizer, "-o", dir.filePath("x")} + extra);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(message.toUtf8()), run.err.constData());
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY(!QFile::exists(dir.filePath("x")));
    }

    void refusesAnotherModelsTokenizer()
    {
        SCULPT_REQUIRE_SHARED(model, "stories260K/stories260K.bin");
        // The demo language model's: 1,024 tokens, where stories260K embeds 512.
        const QString tokenizer = QStringLiteral(SCULPT_MODELS_DIR "/fortunes-llama/tokenizer.model");
        QTemporaryDir dir;
        const CliRun run = runCli(
            {"compress", model, "--tokenizer", tokenizer, "--method", "svd", "--ratio", "0.3", "-o", dir.filePath("x")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("has 1024 tokens, more than the model's 512: not this model's tokenizer"),
                 run.err.constData());
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY(!QFile::exists(dir.filePath("x")));
    }
};

QTEST_GUILESS_MAIN(TestCliCompress)
#include "test_cli_compress.moc"
