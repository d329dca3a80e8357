// `sculpt-cli layouts` as a user runs it: pages and panels of a constructed annotation file in
// both orders, the agreement on OpenMantra's real pages, and one-line errors for bad input; and
// `sculpt-cli conditioning`: the same page's panel canvases, masks and captions.

#include "cli_runner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <filesystem>

namespace {

using Run = sculpt::test::CliRun;
Run cli(const QStringList &args) { return sculpt::test::runCli(args); }

// A Manga109-style page whose panels the file lists bottom row first.
constexpr const char *kBook = R"(<book title="Rows">
  <pages>
    <page index="0" width="1000" height="1000">
      <frame id="a" xmin="0" ymin="520" xmax="1000" ymax="1000"/>
      <frame id="b" xmin="0" ymin="0" xmax="480" ymax="500"/>
      <frame id="c" xmin="520" ymin="0" xmax="1000" ymax="500"/>
      <text id="t" xmin="600" ymin="40" xmax="700" ymax="200">おはよう &amp; またね</text>
    </page>
  </pages>
</book>)";

QString write(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

QJsonObject json(const Run &run)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(run.out, &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("%s", qPrintable(error.errorString()));
    return doc.object();
}

} // namespace

class TestCliLayouts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void panelsInFileAndReadingOrder()
    {
        QTemporaryDir dir;
        const QString path = write(dir, "rows.xml", kBook);
        const Run asListed = cli({"layouts", path, "--json"});
        QVERIFY2(asListed.exitCode == 0, asListed.err.constData());
        const QJsonObject book = json(asListed)["books"].toArray()[0].toObject();
        QCOMPARE(book["format"].toString(), QString("Manga109"));
        QCOMPARE(book["direction"].toString(), QString("right to left"));
        const QJsonObject page = book["pages"].toArray()[0].toObject();
        QCOMPARE(page["panels"].toArray()[0].toObject()["y0"].toDouble(), 520.0);
        QCOMPARE(page["texts"].toArray()[0].toObject()["text"].toObject()["ja"].toString(),
                 QString("おはよう & またね"));

        const Run ordered = cli({"layouts", path, "--order", "--json"});
        QCOMPARE(ordered.exitCode, 0);
        QJsonArray files;
        for (const auto &panel :
             json(ordered)["books"].toArray()[0].toObject()["pages"].toArray()[0].toObject()["panels"].toArray())
            files.append(panel.toObject()["file_index"]);
        QCOMPARE(files, (QJsonArray{2, 1, 0})); // the top row right to left, then the bottom
        QVERIFY(!json(ordered).contains("agreement")); // Manga109 lists panels as annotated

        const Run text = cli({"layouts", path, "--order"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("file's #3"), text.out.constData());
        QVERIFY(text.out.contains("the file does not give one to compare with"));
    }

    // Canvases in reading order (estimated: Manga109 gives none), the text box cut out of its
    // panel's mask, padding up to the maximum, and a caption cleared to make a panel padding.
    void conditioningOfAPage()
    {
        QTemporaryDir dir;
        const QString path = write(dir, "rows.xml", kBook);
        const Run run = cli({"conditioning", path, "--page", "0", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject c = json(run);
        QCOMPARE(c["columns"].toInt(), 32);
        QCOMPARE(c["rows"].toInt(), 32);
        QCOMPARE(c["panels"].toInt(), 3);
        QCOMPARE(c["inter_mask"].toArray(), (QJsonArray{1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        const QJsonArray canvases = c["canvases"].toArray();
        QCOMPARE(canvases.size(), 12);
        const QJsonObject first = canvases[0].toObject();
        QCOMPARE(first["file_index"].toInt(), 2); // the top right panel
        QCOMPARE(first["caption"].toString(), QString("おはよう & またね"));
        QCOMPARE(first["text_boxes"].toArray().size(), 1);
        // Its box covers 15 × 16 cells' centres; the text box 3 × 5 of them.
        QCOMPARE(first["cells"].toInt(), 15 * 16 - 3 * 5);
        QCOMPARE(first["mask"].toArray()[2].toString(), QString(17, '.') + "##..." + QString(10, '#'));
        QCOMPARE(canvases[1].toObject()["caption"].toString(), QString("panel 2")); // no text in it
        QCOMPARE(canvases[11].toObject()["caption"].toString(), QString("EMPTY"));
        QCOMPARE(canvases[11].toObject()["cells"].toInt(), 0);

        const Run cleared = cli({"conditioning", path, "--page", "0", "--caption", "2=", "--max-panels", "4", "--json"});
        QVERIFY2(cleared.exitCode == 0, cleared.err.constData());
        QCOMPARE(json(cleared)["inter_mask"].toArray(), (QJsonArray{1, 1, 0, 0}));
        QCOMPARE(json(cleared)["canvases"].toArray()[1].toObject()["file_index"].toInt(), 0);

        const Run text = cli({"conditioning", path, "--page", "0", "--mask", "1"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("inter-panel mask: 1 1 1 0 0 0 0 0 0 0 0 0"), text.out.constData());
        QVERIFY(text.out.contains("  " + QByteArray(17, '.') + "##..." + QByteArray(10, '#') + "\n"));

        for (const QStringList &bad : {QStringList{"--page", "7"}, QStringList{"--page", "0", "--caption", "4=x"},
                                       QStringList{"--page", "0", "--max-panels", "2"},
                                       QStringList{"--page", "0", "--mask", "13"}, QStringList{"--page", "0", "--book", "2"},
                                       QStringList{"--page", "0", "--columns", "5000"}, QStringList{}}) {
            const Run refused = cli(QStringList{"conditioning", path} + bad);
            QCOMPARE(refused.exitCode, 2);
            QVERIFY2(bad.isEmpty() || refused.err.count('\n') == 1, refused.err.constData());
        }
        const Run help = cli({"conditioning", "--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("--caption K=TEXT"));
    }

    void agreementOnOpenMantra()
    {
        const QString path = QStringLiteral(SCULPT_SHARED_DIR "/datasets/openmantra/annotation.json");
        if (!std::filesystem::exists(path.toStdString()))
            QSKIP("../shared/datasets/openmantra is absent; skipping");
        const Run run = cli({"layouts", path, "--order", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject agreement = json(run)["agreement"].toObject();
        QCOMPARE(agreement["pages"].toInt(), 205);
        QVERIFY(agreement["full_agreement"].toInt() > 0.85 * 205);
        QCOMPARE(json(run)["books"].toArray().size(), 5);
    }

    void badInputIsOneLine_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("truncated XML") << QByteArray(kBook).left(200);
        QTest::newRow("not an annotation") << QByteArray("{\"hello\": 1}");
        QTest::newRow("NaN box") << QByteArray(kBook).replace("xmax=\"480\"", "xmax=\"nan\"");
    }
    void badInputIsOneLine()
    {
        QFETCH(QByteArray, bytes);
        QTemporaryDir dir;
        const QString path = write(dir, "bad.xml", bytes);
        const Run run = cli({"layouts", path});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY2(run.err.contains("bad.xml"), run.err.constData());
        QVERIFY(run.out.isEmpty());
    }

    void usage()
    {
        const Run help = cli({"layouts", "--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("--order"));
        const Run none = cli({"layouts"});
        QCOMPARE(none.exitCode, 2);
        const Run missing = cli({"layouts", "/nonexistent/annotations.json"});
        QCOMPARE(missing.exitCode, 2);
        QCOMPARE(missing.err.count('\n'), 1);
    }
};

QTEST_GUILESS_MAIN(TestCliLayouts)
#include "test_cli_layouts.moc"
