// COCO captions files: each image's file found where COCO keeps it, with its captions in the
// file's order; coco_mini's 51 photos and 255 captions when ../shared is there; broken files
// refused in one line naming the file.

#include "data/coco_captions.h"
#include "file_errors.h"
#include "test_files.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;

namespace {

const QByteArray kCaptions = R"({"info": {"description": "two photos"}, "licenses": [],
  "images": [{"id": 7, "file_name": "a.jpg", "width": 640, "height": 480},
             {"id": 3, "file_name": "b.jpg"}],
  "annotations": [{"image_id": 3, "id": 1, "caption": "A dog on a sofa."},
                  {"image_id": 7, "id": 2, "caption": "Two cats."},
                  {"image_id": 3, "id": 5, "caption": "A sleeping dog."}]})";

} // namespace

class TestCocoCaptions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void imagesKeepTheirCaptionsInOrder()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("captions.json");
        test::writeFile(file, kCaptions);
        std::vector<CaptionedImage> images = readCocoCaptions(file.toStdString());
        QCOMPARE(images.size(), size_t(2));
        QCOMPARE(images[0].id, int64_t(7));
        QCOMPARE(QString::fromStdString(images[0].path), dir.filePath("a.jpg")); // no images/ folder: beside
        QCOMPARE(images[0].width, int64_t(640));
        QCOMPARE(images[0].captions, std::vector<std::string>{"Two cats."});
        QCOMPARE(images[1].captions, (std::vector<std::string>{"A dog on a sofa.", "A sleeping dog."}));
        QCOMPARE(images[1].width, int64_t(0));
        // COCO's own layout: the photos in images/ beside the file; or a folder given.
        QVERIFY(QDir(dir.path()).mkdir("images"));
        QCOMPARE(QString::fromStdString(readCocoCaptions(file.toStdString())[1].path), dir.filePath("images/b.jpg"));
        QCOMPARE(QString::fromStdString(readCocoCaptions(file.toStdString(), "/photos")[1].path), QString("/photos/b.jpg"));
    }

    void cocoMini()
    {
        const QString file = QStringLiteral(SCULPT_SHARED_DIR "/datasets/coco_mini/captions.json");
        if (!QFileInfo::exists(file))
            QSKIP("../shared/datasets/coco_mini is absent; skipping");
        const std::vector<CaptionedImage> images = readCocoCaptions(file.toStdString());
        QCOMPARE(images.size(), size_t(51));
        size_t captions = 0;
        for (const CaptionedImage &image : images) {
            QVERIFY2(QFileInfo::exists(QString::fromStdString(image.path)), image.path.c_str());
            QVERIFY(!image.captions.empty());
            captions += image.captions.size();
        }
        QCOMPARE(captions, size_t(255));
    }

    void brokenFilesAreOneLine_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("reason");
        QTest::newRow("not json") << QByteArray("{\"images\": [") << "COCO captions";
        QTest::newRow("no images") << QByteArray(R"({"annotations": []})") << "no \"images\" list";
        QTest::newRow("no annotations") << QByteArray(R"({"images": []})") << "no \"annotations\" list";
        QTest::newRow("no id") << QByteArray(R"({"images": [{"file_name": "a.jpg"}], "annotations": []})")
                               << "without a whole-number id";
        QTest::newRow("escape") << QByteArray(R"({"images": [{"id": 1, "file_name": "../a.jpg"}], "annotations": []})")
                                << "is not a file name";
        QTest::newRow("twice") << QByteArray(R"({"images": [{"id": 1, "file_name": "a.jpg"}, {"id": 1, "file_name": "b.jpg"}],
                                                "annotations": []})")
                               << "two images have the id 1";
        QTest::newRow("orphan") << QByteArray(R"({"images": [], "annotations": [{"image_id": 4, "caption": "x"}]})")
                                << "image 4, which the file does not list";
        QTest::newRow("caption") << QByteArray(R"({"images": [{"id": 4, "file_name": "a.jpg"}],
                                                  "annotations": [{"image_id": 4, "caption": 12}]})")
                                 << "has no caption text";
    }
    void brokenFilesAreOneLine()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString file = dir.filePath("captions.json");
        test::writeFile(file, text);
        const QString error = test::fileError([&] { readCocoCaptions(file.toStdString()); });
        QVERIFY2(error.contains(file) && error.contains(reason), qPrintable(error));
        QVERIFY(!error.contains('\n'));
    }
};

QTEST_GUILESS_MAIN(TestCocoCaptions)
#include "test_coco_captions.moc"
