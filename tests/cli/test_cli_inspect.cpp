// `sculpt-cli inspect` as a user runs it: a separate process, its exit code, stdout and stderr.

#include "cli_runner.h"
#include "test_files.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

namespace {

using Run = sculpt::test::CliRun;
Run cli(const QStringList &args) { return sculpt::test::runCli(args); }

} // namespace

class TestCliInspect : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jsonOfStories260K()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const Run run = cli({"inspect", path, "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QJsonParseError error;
        const auto doc = QJsonDocument::fromJson(run.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject root = doc.object();
        QCOMPARE(root["format"].toString(), QString("llama2.c"));
        QCOMPARE(root["architecture"].toString(), QString("llama"));
        QVERIFY(root["parameters"].isDouble());
        QCOMPARE(root["parameters"].toInteger(), 260032);
        const QJsonArray tensors = root["tensors"].toArray();
        QCOMPARE(tensors.size(), 48);
        QJsonObject q;
        for (const auto &t : tensors)
            if (t.toObject()["name"].toString() == "model.layers.1.self_attn.q_proj.weight")
                q = t.toObject();
        QCOMPARE(q["dtype"].toString(), QString("F32"));
        QCOMPARE(q["shape"].toArray(), QJsonArray({64, 64}));
        QCOMPARE(q["block"].toInt(), 1);
        QCOMPARE(q["role"].toString(), QString("q"));
    }

    void textGroupsByBlock()
    {
        SCULPT_REQUIRE_SHARED(path, "vit_mnist_tiny/vit_mnist.safetensors");
        const Run run = cli({"inspect", path});
        QCOMPARE(run.exitCode, 0);
        const QString text = QString::fromUtf8(run.out);
        QVERIFY(text.contains("architecture  vit"));
        QVERIFY(text.contains("\nblock 5\n"));
        QVERIFY(text.contains("\noutside blocks\n"));
        QVERIFY(text.contains("213,642")); // parameters, as SOURCE.txt states
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("fileBytes"); // written to the temp file given as PATH when non-empty
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no path") << QStringList{"inspect"} << QByteArray() << "usage";
        QTest::newRow("unknown option") << QStringList{"inspect", "--yaml", "x"} << QByteArray() << "--yaml";
        QTest::newRow("unknown command") << QStringList{"explode"} << QByteArray() << "explode";
        QTest::newRow("missing file") << QStringList{"inspect", "/nonexistent/model.safetensors"} << QByteArray()
                                      << "/nonexistent/model.safetensors";
        QTest::newRow("garbage file") << QStringList{"inspect", "FILE"} << QByteArray("this is not a model") << "FILE";
        QTest::newRow("truncated safetensors") << QStringList{"inspect", "FILE", "--json"}
                                               << QByteArray("\x40\x00\x00\x00\x00\x00\x00\x00{\"a\"", 12) << "FILE";
    }
    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, fileBytes);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const QString file = dir.filePath("model.safetensors");
        if (!fileBytes.isEmpty())
            sculpt::test::writeFile(file, fileBytes);
        args.replaceInStrings("FILE", file);
        const Run run = cli(args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        const QString err = QString::fromUtf8(run.err).trimmed();
        QVERIFY2(err.contains(mentions.replace("FILE", file)), qPrintable(err));
        if (!fileBytes.isEmpty())
            QVERIFY2(!err.contains('\n'), qPrintable(err)); // one line
    }

    void everyCommandAnswersHelp_data()
    {
        QTest::addColumn<QString>("command");
        for (const char *c : {"inspect", "spectra", "workspace", "submit", "jobs", "cancel", "generate", "eval", "zoo", "compress"})
            QTest::newRow(c) << c;
    }
    void everyCommandAnswersHelp()
    {
        QFETCH(QString, command);
        for (const char *flag : {"--help", "-h"}) {
            const Run run = cli({command, flag});
            QCOMPARE(run.exitCode, 0);
            QVERIFY2(run.out.contains(("sculpt-cli " + command + " ").toUtf8()) && run.err.isEmpty(), run.out.constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestCliInspect)
#include "test_cli_inspect.moc"
