// The page-layout readers: OpenMantra's, ACBF's and Manga109's real files when ../shared is
// there (counts, sizes from the JPEG headers, languages), small files written here for the
// exact boxes each format maps, and broken or hostile files refused in one line naming them.

#include "layout/layout_reader.h"
#include "file_errors.h"
#include "test_files.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace sculpt;

namespace {

const QString kDatasets = QStringLiteral(SCULPT_SHARED_DIR "/datasets/");

#define SCULPT_REQUIRE_DATASET(var, relative)                                                       \
    const QString var = kDatasets + relative;                                                        \
    if (!QFileInfo::exists(var))                                                                     \
        QSKIP(qPrintable("../shared/datasets/" + QString(relative) + " is absent; skipping"));

// The start of a PNG: its signature and the IHDR chunk, all readImageSize looks at.
QByteArray pngHeader(quint32 width, quint32 height)
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png.append(QByteArray::fromHex("0000000d") + "IHDR");
    for (const quint32 side : {width, height})
        png.append(char(side >> 24)).append(char(side >> 16)).append(char(side >> 8)).append(char(side));
    png.append(QByteArray::fromHex("0802000000")); // 8-bit RGB, the rest 0
    return png.append(QByteArray(4, '\0'));        // a CRC nobody checks here
}

void compareBox(const Box &box, double x0, double y0, double x1, double y1)
{
    QCOMPARE(box.x0, x0);
    QCOMPARE(box.y0, y0);
    QCOMPARE(box.x1, x1);
    QCOMPARE(box.y1, y1);
}

size_t panelCount(const std::vector<LayoutBook> &books)
{
    size_t panels = 0;
    for (const LayoutBook &book : books)
        for (const Page &page : book.pages)
            panels += page.panels.size();
    return panels;
}

const QByteArray kManga109 = R"(<?xml version="1.0" encoding="utf-8"?>
<book title="Tiny &amp; Small">
  <characters><character id="c1" name="A"/></characters>
  <pages>
    <page index="0" width="1654" height="1170">
      <frame id="f1" xmin="10" ymin="20" xmax="300" ymax="400"/>
      <text id="t1" xmin="1" ymin="2" xmax="3" ymax="4">はあ
はあ &lt;!&gt;</text>
      <face id="x1" xmin="5" ymin="6" xmax="7.5" ymax="8" character="c1"/>
      <body id="x2" xmin="0" ymin="0" xmax="100" ymax="200" character="c1"/>
      <onomatopoeia id="o1" xmin="0" ymin="0" xmax="1" ymax="1">ドン</onomatopoeia>
    </page>
    <page index="1" width="827" height="1170"/>
  </pages>
</book>
)";

const QByteArray kOpenMantra = R"([{"book_title": "tiny", "pages": [
  {"page_index": 1, "image_paths": {"ja": "images/tiny/ja/000.png"},
   "frame": [{"x": 10, "y": 20, "w": 30, "h": 40}],
   "text": [{"x": 1, "y": 2, "w": 3, "h": 4, "text_zh": "你好", "text_en": "hello", "text_ja": "こんにちは"}]},
  {"page_index": 2, "image_paths": {"ja": "images/tiny/ja/001.png"},
   "frame": [{"x": 0, "y": 0, "w": 500, "h": 100}, {"x": 0, "y": 120, "w": 250.5, "h": 600}], "text": []}]}])";

// The namespace stands in a plain literal: moc takes a "//" inside a raw string for a comment.
const QByteArray kAcbf = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                         "<ACBF xmlns=\"http://www.acbf.info/xml/acbf/1.1\">\n" R"(
 <meta-data><book-info>
  <book-title lang="sk">Malý</book-title><book-title lang="en">Small</book-title>
  <coverpage><image href="cover.png"/></coverpage>
  <languages><text-layer lang="en" show="false"/><text-layer lang="sk" show="true"/></languages>
 </book-info></meta-data>
 <body>
  <page>
   <image href="page1.png"/>
   <text-layer lang="en">
    <text-area points="10,10 50,12 48,40 9,38"><p>HELLO <emphasis>THERE</emphasis>
        FRIEND</p><p>BYE</p></text-area>
    <text-area points="100,100 120,100 120,130"><p>ONLY ENGLISH</p></text-area>
   </text-layer>
   <text-layer lang="sk">
    <text-area points="10,10 50,12 48,40 9,38"><p>AHOJ</p></text-area>
    <text-area points="200,200 220,200 220,230"><p>LEN SLOVENSKY</p></text-area>
   </text-layer>
   <frame points="5,5 300,3 305,200 -4,210"/>
   <frame points="0,220 310,220 310,400 0,400"/>
  </page>
  <page><image href="#embedded"/><frame points="1,1 2,1 2,2"/></page>
 </body>
</ACBF>
)";

} // namespace

class TestLayoutReaders : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void openMantra()
    {
        SCULPT_REQUIRE_DATASET(file, "openmantra/annotation.json");
        const std::vector<LayoutBook> books = readLayouts(file.toStdString());
        QCOMPARE(books.size(), size_t(5));
        QCOMPARE(books[0].title, std::string("tojime_no_siora"));
        size_t pages = 0, texts = 0;
        std::set<std::string> languages;
        for (const LayoutBook &book : books) {
            QCOMPARE(book.format, std::string("OpenMantra"));
            QVERIFY(book.direction == ReadingDirection::RightToLeft);
            QVERIFY(book.panelsInReadingOrder);
            for (const Page &page : book.pages) {
                ++pages;
                QVERIFY2(QFileInfo::exists(QString::fromStdString(page.image)), page.image.c_str());
                QVERIFY2(page.width >= 824 && page.width <= 836 && page.height == 1170,
                         qPrintable(QString("%1×%2").arg(page.width).arg(page.height)));
                for (const TextArea &text : page.texts) {
                    ++texts;
                    QCOMPARE(text.texts.front().language, std::string("ja"));
                    for (const LanguageText &t : text.texts)
                        languages.insert(t.language);
                }
            }
        }
        QCOMPARE(pages, size_t(214));
        QCOMPARE(panelCount(books), size_t(1069));
        QCOMPARE(texts, size_t(1592));
        QCOMPARE(languages, (std::set<std::string>{"en", "ja", "zh"}));
        // The first frame of tojime_no_siora's second page, {x 61, y 0, w 768, h 220}.
        compareBox(books[0].pages[1].panels[0].box, 61, 0, 829, 220);
        // The folder reads as its one annotation file does (README, LICENSE and images passed over).
        QCOMPARE(panelCount(readLayouts(QFileInfo(file).path().toStdString())), size_t(1069));
    }

    void acbf()
    {
        SCULPT_REQUIRE_DATASET(file, "acbf_craphound/craphound.acbf");
        const std::vector<LayoutBook> books = readLayouts(QFileInfo(file).path().toStdString());
        QCOMPARE(books.size(), size_t(1));
        const LayoutBook &book = books[0];
        QCOMPARE(book.format, std::string("ACBF"));
        QCOMPARE(book.title, std::string("Craphound")); // the English title: the book's own language
        QVERIFY(book.direction == ReadingDirection::LeftToRight);
        QVERIFY(book.panelsInReadingOrder);
        QCOMPARE(book.pages.size(), size_t(23)); // the cover is one picture, no layout
        QCOMPARE(book.pages[0].index, 1);
        QCOMPARE(panelCount(books), size_t(151));
        QCOMPARE(book.pages[0].width, 1000.0); // page1.jpg's header
        QCOMPARE(book.pages[0].height, 1537.0);
        QCOMPARE(book.pages[2].width, 994.0); // page3.jpg's
        size_t areas = 0, bilingual = 0;
        for (const Page &page : book.pages) {
            QVERIFY(page.image.ends_with(".jpg"));
            for (const Panel &panel : page.panels)
                QVERIFY(panel.outline.size() >= 4);
            for (const TextArea &text : page.texts) {
                ++areas;
                bilingual += text.texts.size() == 2 && text.texts[0].language == "en" && text.texts[1].language == "sk";
            }
        }
        // Each balloon is lettered in English and Slovak at the same points: one area each.
        QCOMPARE(areas, size_t(273));
        QCOMPARE(bilingual, areas);
        // page 1's fourth frame: "545,452 965,452 … 995,822 … 550,1017"; page 4's fifth reaches x = −9.
        compareBox(book.pages[0].panels[3].box, 545, 452, 995, 1017);
        QCOMPARE(book.pages[3].panels[4].box.x0, -9.0);
        const TextArea &first = book.pages[0].texts[0];
        QCOMPARE(first.texts[0].text.substr(0, 14), std::string("CRAPHOUND[*] H"));
    }

    void manga109Dummies()
    {
        SCULPT_REQUIRE_DATASET(folder, "manga109_dummy");
        const std::vector<LayoutBook> books = readLayouts(folder.toStdString());
        QCOMPARE(books.size(), size_t(3));
        QCOMPARE(books[0].title, std::string("TitleA"));
        QCOMPARE(books[2].title, std::string("TitleC"));
        QCOMPARE(books[0].pages.size(), size_t(5));
        for (const LayoutBook &book : books) {
            QCOMPARE(book.format, std::string("Manga109"));
            QVERIFY(book.direction == ReadingDirection::RightToLeft);
            QVERIFY(!book.panelsInReadingOrder);
            for (const Page &page : book.pages) {
                QVERIFY(page.spread);
                QCOMPARE(page.width, 1654.0);
                QCOMPARE(page.height, 1170.0);
                QVERIFY(page.image.empty()); // the dummies come without scans
            }
        }
        const Page &page3 = books[0].pages[3];
        QCOMPARE(page3.index, 3);
        QCOMPARE(page3.panels.size(), size_t(4));
        QCOMPARE(page3.texts.size(), size_t(6));
        QCOMPARE(page3.figures.size(), size_t(6));
        compareBox(page3.panels[0].box, 158, 436, 1611, 1073);
        QCOMPARE(page3.texts[2].texts[0].text, std::string("はあ\nはあ"));
        size_t faces = 0, bodies = 0;
        for (const Figure &figure : page3.figures)
            (figure.kind == "face" ? faces : bodies) += 1;
        QCOMPARE(faces, size_t(2));
        QCOMPARE(bodies, size_t(4));
        // TitleC's custom tags are passed over: its first page holds its one body alone.
        const Page &custom = books[2].pages[0];
        QCOMPARE(custom.figures.size(), size_t(1));
        QVERIFY(custom.panels.empty() && custom.texts.empty());
    }

    void manga109Boxes()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath("annotations"));
        QVERIFY(QDir(dir.path()).mkpath("images/Tiny"));
        const QString file = dir.filePath("annotations/Tiny.xml");
        test::writeFile(file, kManga109);
        test::writeFile(dir.filePath("images/Tiny/001.jpg"), "not read: Manga109 gives the size");
        const std::vector<LayoutBook> books = readLayouts(file.toStdString());
        QCOMPARE(books.size(), size_t(1));
        QCOMPARE(books[0].title, std::string("Tiny & Small"));
        const Page &page = books[0].pages[0];
        QVERIFY(page.spread);
        QVERIFY(page.image.empty()); // images/Tiny/000.jpg is not there
        compareBox(page.panels[0].box, 10, 20, 300, 400);
        QVERIFY(page.panels[0].outline.empty());
        compareBox(page.texts[0].box, 1, 2, 3, 4);
        QCOMPARE(page.texts[0].texts.size(), size_t(1));
        QCOMPARE(page.texts[0].texts[0].language, std::string("ja"));
        QCOMPARE(page.texts[0].texts[0].text, std::string("はあ\nはあ <!>"));
        QCOMPARE(page.figures.size(), size_t(2)); // the onomatopoeia is not a figure
        compareBox(page.figures[0].box, 5, 6, 7.5, 8);
        QCOMPARE(page.figures[0].kind, std::string("face"));
        QCOMPARE(page.figures[1].kind, std::string("body"));
        const Page &single = books[0].pages[1];
        QVERIFY(!single.spread); // portrait: one page
        QCOMPARE(QString::fromStdString(single.image), QDir(dir.path()).absoluteFilePath("images/Tiny/001.jpg"));
    }

    void openMantraBoxes()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath("images/tiny/ja"));
        const QString file = dir.filePath("annotation.json");
        test::writeFile(file, kOpenMantra);
        test::writeFile(dir.filePath("images/tiny/ja/000.png"), pngHeader(830, 1170));
        const std::vector<LayoutBook> books = readLayouts(dir.path().toStdString());
        QCOMPARE(books.size(), size_t(1));
        QCOMPARE(QString::fromStdString(books[0].file), file); // found in the folder
        const Page &first = books[0].pages[0];
        QCOMPARE(first.index, 1);
        QCOMPARE(first.width, 830.0); // from the PNG's header
        QCOMPARE(first.height, 1170.0);
        compareBox(first.panels[0].box, 10, 20, 40, 60);
        compareBox(first.texts[0].box, 1, 2, 4, 6);
        const std::vector<LanguageText> &texts = first.texts[0].texts;
        QCOMPARE(texts.size(), size_t(3));
        QCOMPARE(texts[0].language, std::string("ja")); // the original first
        QCOMPARE(texts[0].text, std::string("こんにちは"));
        QCOMPARE(texts[1].text, std::string("hello"));
        QCOMPARE(texts[2].language, std::string("zh"));
        // No image: the page reaches as far as its boxes do.
        const Page &second = books[0].pages[1];
        QVERIFY(second.image.empty());
        QCOMPARE(second.width, 500.0);
        QCOMPARE(second.height, 720.0);
        compareBox(second.panels[1].box, 0, 120, 250.5, 720);
    }

    void acbfBoxes()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("small.acbf");
        test::writeFile(file, kAcbf);
        test::writeFile(dir.filePath("page1.png"), pngHeader(320, 480));
        const std::vector<LayoutBook> books = readLayouts(file.toStdString());
        QCOMPARE(books[0].title, std::string("Small"));
        QCOMPARE(books[0].pages.size(), size_t(2));
        const Page &page = books[0].pages[0];
        QCOMPARE(page.index, 1);
        QCOMPARE(page.width, 320.0);
        QCOMPARE(page.height, 480.0);
        QCOMPARE(page.panels.size(), size_t(2));
        compareBox(page.panels[0].box, -4, 3, 305, 210); // the polygon's bounds
        QCOMPARE(page.panels[0].outline.size(), size_t(4));
        QCOMPARE(page.panels[0].outline[3].x, -4.0);
        // The balloon at the same points in both layers is one area; the others stay apart.
        QCOMPARE(page.texts.size(), size_t(3));
        compareBox(page.texts[0].box, 9, 10, 50, 40);
        QCOMPARE(page.texts[0].texts.size(), size_t(2));
        QCOMPARE(page.texts[0].texts[0].language, std::string("en"));
        QCOMPARE(page.texts[0].texts[0].text, std::string("HELLO THERE FRIEND\nBYE"));
        QCOMPARE(page.texts[0].texts[1].language, std::string("sk"));
        QCOMPARE(page.texts[0].texts[1].text, std::string("AHOJ"));
        QCOMPARE(page.texts[1].texts.size(), size_t(1));
        QCOMPARE(page.texts[2].texts[0].language, std::string("sk"));
        // An embedded image (href "#…") is not a file: the size comes from the frame.
        const Page &second = books[0].pages[1];
        QVERIFY(second.image.empty());
        QCOMPARE(second.width, 2.0);
        QCOMPARE(second.height, 2.0);
    }

    void brokenFilesAreOneLine_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("reason");
        const QByteArray page = R"(<book title="b"><pages><page index="0" width="100" height="100">)";
        const QByteArray end = "</page></pages></book>";
        QTest::newRow("truncated XML") << kManga109.left(kManga109.size() / 2) << "malformed XML at line";
        QTest::newRow("truncated JSON") << kOpenMantra.left(kOpenMantra.size() / 2) << "is not valid JSON";
        QTest::newRow("NaN") << page + R"(<frame xmin="nan" ymin="0" xmax="1" ymax="1"/>)" + end << "not finite";
        QTest::newRow("not a number") << page + R"(<frame xmin="1px" ymin="0" xmax="1" ymax="1"/>)" + end
                                      << "where a number belongs";
        QTest::newRow("x0 > x1") << page + R"(<frame xmin="5" ymin="0" xmax="1" ymax="1"/>)" + end
                                 << "negative width or height";
        QTest::newRow("missing ymax") << page + R"(<frame xmin="0" ymin="0" xmax="1"/>)" + end << "has no ymax";
        QTest::newRow("huge width") << QByteArray(R"(<book><pages><page index="0" width="1e12" height="9"/></pages></book>)")
                                    << "outside ±1e6";
        QByteArray many = page;
        for (int i = 0; i <= 10'000; ++i)
            many += R"(<frame xmin="0" ymin="0" xmax="1" ymax="1"/>)";
        QTest::newRow("huge count") << many + end << "more than 10000 boxes";
        QByteArray deep;
        for (int i = 0; i < 100; ++i)
            deep += "<book>";
        QTest::newRow("deep") << deep << "nested more than 64 deep";
        QTest::newRow("negative w") << QByteArray(R"([{"book_title": "t", "pages": [{"page_index": 0,
                                        "frame": [{"x": 10, "y": 0, "w": -5, "h": 3}]}]}])")
                                    << "page 0's frame 0 has a negative width";
        QTest::newRow("string x") << QByteArray(R"([{"book_title": "t", "pages": [{"page_index": 0,
                                     "frame": [{"x": "10", "y": 0, "w": 5, "h": 3}]}]}])")
                                  << "\"x\" is not a number";
        QTest::newRow("unknown JSON") << QByteArray(R"({"images": [], "annotations": []})")
                                      << "JSON, but not a list of books";
        QTest::newRow("unknown XML") << QByteArray("<svg><rect/></svg>") << "XML whose root is <svg>";
        QTest::newRow("text") << QByteArray("frame 1: 0 0 10 10\n") << "neither XML nor JSON";
        QTest::newRow("two points") << QByteArray(R"(<ACBF><body><page><frame points="0,0 5,5"/></page></body></ACBF>)")
                                    << "page 1's frame 1 has fewer than three points";
        QTest::newRow("no body") << QByteArray("<ACBF><meta-data/></ACBF>") << "without a <body>";
    }
    void brokenFilesAreOneLine()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString file = dir.filePath("layouts.dat");
        test::writeFile(file, text);
        const QString error = test::fileError([&] { readLayouts(file.toStdString()); });
        QVERIFY2(error.startsWith(file + ": ") && error.contains(reason), qPrintable(error));
        QVERIFY2(!error.contains('\n'), qPrintable(error));
    }

    void foldersWithoutAnnotationsAreRefused()
    {
        QTemporaryDir dir;
        const QString empty = test::fileError([&] { readLayouts(dir.path().toStdString()); });
        QVERIFY2(empty.startsWith(dir.path() + ": a folder with no"), qPrintable(empty));
        test::writeFile(dir.filePath("README.md"), "# Pages\n");
        test::writeFile(dir.filePath("page.png"), pngHeader(10, 10));
        test::writeFile(dir.filePath("other.xml"), "<svg/>");
        const QString others = test::fileError([&] { readLayouts(dir.path().toStdString()); });
        QVERIFY2(others.startsWith(dir.path() + ": a folder with no"), qPrintable(others));
        // A broken annotation file in a folder is not passed over as a stranger.
        test::writeFile(dir.filePath("annotation.json"), "[{\"book_title\": ");
        const QString broken = test::fileError([&] { readLayouts(dir.path().toStdString()); });
        QVERIFY2(broken.startsWith(dir.filePath("annotation.json") + ": "), qPrintable(broken));
        const QString missing = test::fileError([&] { readLayouts(dir.filePath("absent.xml").toStdString()); });
        QVERIFY2(missing.startsWith(dir.filePath("absent.xml") + ": "), qPrintable(missing));
    }
};

QTEST_GUILESS_MAIN(TestLayoutReaders)
#include "test_layout_readers.moc"
