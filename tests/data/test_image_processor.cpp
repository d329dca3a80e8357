// The image path a vision-language model's photos take — JPEG and PNG decoding, Pillow's
// bicubic and bilinear resize, the centre crop, rescale and normalise — against Pillow itself
// (tests/reference/image_reference.py, Debian's python3-pil), byte for byte and bit for bit: on
// images Pillow writes here (a photo-like JPEG, a grey JPEG, a palette PNG, an RGBA PNG), under
// CLIP's settings, SigLIP's (bilinear, enlarging) and a crop larger than the image, and on the
// real photos of ../shared/datasets/coco_mini. Bad files and configs are one line each.

#include "data/image_processor.h"
#include "file_errors.h"
#include "test_files.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace sculpt;

namespace {

const char *const kClip = R"({"crop_size": {"height": 224, "width": 224}, "do_center_crop": true,
  "do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.48145466, 0.4578275, 0.40821073],
  "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "rescale_factor": 0.00392156862745098,
  "size": {"shortest_edge": 224}})";
const char *const kSiglip = R"({"do_normalize": true, "do_rescale": true, "do_resize": true,
  "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2, "rescale_factor": 0.00392156862745098,
  "size": {"height": 384, "width": 384}})";
const char *const kOverhang = R"({"crop_size": 96, "do_center_crop": true, "resample": 3, "size": 41})";

// Runs the reference; its stdout, or a failed QVERIFY and an empty array.
QByteArray reference(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(SCULPT_SYSTEM_PYTHON), QStringList{QStringLiteral(SCULPT_IMAGE_REFERENCE)} + args);
    const bool finished = p.waitForFinished(120000);
    if (!finished || p.exitCode() != 0)
        qWarning("reference failed: %s", p.readAllStandardError().constData());
    return finished && p.exitCode() == 0 ? p.readAllStandardOutput() : QByteArray();
}

QByteArray bytesOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Each image under `config`, compared with Pillow's answer at every step.
void compareWithPillow(const QStringList &images, const char *config)
{
    QTemporaryDir out;
    const QString configPath = out.filePath("preprocessor_config.json");
    test::writeFile(configPath, config);
    const QJsonArray answers = QJsonDocument::fromJson(reference(QStringList{"run", out.path(), configPath} + images)).array();
    QCOMPARE(answers.size(), images.size());
    const ImageProcessorConfig c = readImageProcessorConfig(configPath.toStdString());
    for (int i = 0; i < images.size(); ++i) {
        const QJsonObject want = answers[i].toObject();
        const RgbImage image = readRgbImage(images[i].toStdString());
        QCOMPARE(image.width, want["width"].toInteger());
        QCOMPARE(image.height, want["height"].toInteger());
        const QByteArray decoded = bytesOf(out.filePath(QString::number(i) + ".decoded"));
        QVERIFY2(decoded == QByteArray(reinterpret_cast<const char *>(image.pixels.data()), qsizetype(image.pixels.size())),
                 qPrintable(images[i] + " decodes differently"));

        const auto [width, height] = resizedSize(image, c);
        QCOMPARE(width, want["resized"].toArray()[0].toInteger());
        QCOMPARE(height, want["resized"].toArray()[1].toInteger());
        const RgbImage resized = resizeImage(image, width, height, c.resample);
        const QByteArray pillow = bytesOf(out.filePath(QString::number(i) + ".resized"));
        QVERIFY2(pillow == QByteArray(reinterpret_cast<const char *>(resized.pixels.data()), qsizetype(resized.pixels.size())),
                 qPrintable(images[i] + " resizes differently"));

        const std::vector<float> pixels = processImage(image, c);
        const QByteArray expected = bytesOf(out.filePath(QString::number(i) + ".pixels"));
        QCOMPARE(qsizetype(pixels.size() * sizeof(float)), expected.size());
        QVERIFY2(std::memcmp(pixels.data(), expected.constData(), size_t(expected.size())) == 0,
                 qPrintable(images[i] + "'s pixels differ"));
    }
}

} // namespace

class TestImageProcessor : public QObject {
    Q_OBJECT
    QTemporaryDir made_;
    QStringList images_;

private Q_SLOTS:
    void initTestCase()
    {
        QProcess probe;
        probe.start(QStringLiteral(SCULPT_SYSTEM_PYTHON), {"-c", "import numpy, PIL"});
        if (!probe.waitForFinished(60000) || probe.exitCode() != 0)
            QSKIP("python3 with Pillow and numpy (python3-pil, python3-numpy) is not available");
        QVERIFY(!reference({"make", made_.path()}).isEmpty());
        for (const char *name : {"photo.jpg", "grey.jpg", "palette.png", "alpha.png"})
            images_ << made_.filePath(name);
    }

    void clipsSettingsAsPillow() { compareWithPillow(images_, kClip); }

    // A tower trained on grey images: convert("L"), then the same steps on one channel, with a
    // single mean and std as such a model's preprocessor_config.json gives them.
    void greyAsPillow()
    {
        QTemporaryDir out;
        const QString configPath = out.filePath("preprocessor_config.json");
        test::writeFile(configPath, R"({"size": {"height": 28, "width": 28}, "resample": 2, "image_mean": 0.286,
                                        "image_std": [0.353]})");
        const QJsonArray answers =
            QJsonDocument::fromJson(reference(QStringList{"grey", out.path(), configPath} + images_)).array();
        QCOMPARE(answers.size(), images_.size());
        const ImageProcessorConfig c = readImageProcessorConfig(configPath.toStdString());
        for (int i = 0; i < images_.size(); ++i) {
            const RgbImage image = readRgbImage(images_[i].toStdString());
            const QByteArray pillowGrey = bytesOf(out.filePath(QString::number(i) + ".resized"));
            QCOMPARE(pillowGrey.size(), qsizetype(28 * 28));
            const std::vector<float> pixels = processImage(image, c, 1);
            const QByteArray expected = bytesOf(out.filePath(QString::number(i) + ".pixels"));
            QCOMPARE(qsizetype(pixels.size() * sizeof(float)), expected.size());
            QVERIFY2(std::memcmp(pixels.data(), expected.constData(), size_t(expected.size())) == 0,
                     qPrintable(images_[i] + "'s grey pixels differ"));
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, processImage(readRgbImage(images_[0].toStdString()), c, 2));
    }
    void siglipsSettingsAsPillow() { compareWithPillow(images_, kSiglip); }
    void aCropLargerThanTheImageAsPillow() { compareWithPillow(images_, kOverhang); }

    void realPhotosAsPillow()
    {
        const QString folder = QStringLiteral(SCULPT_SHARED_DIR "/datasets/coco_mini/images");
        const QStringList photos = QDir(folder).entryList({"*.jpg"}, QDir::Files, QDir::Name);
        if (photos.isEmpty())
            QSKIP("../shared/datasets/coco_mini is absent; skipping");
        QStringList some;
        for (int i = 0; i < photos.size() && some.size() < 6; i += 8)
            some << folder + "/" + photos[i];
        compareWithPillow(some, kClip);
    }

    void badFilesAreOneLine_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        const QByteArray photo = bytesOf(made_.filePath("photo.jpg"));
        QTest::newRow("text") << QByteArray("not an image at all") << "neither a JPEG nor a PNG";
        QTest::newRow("truncated") << photo.left(photo.size() / 2) << "the file ends early";
        QTest::newRow("cmyk") << bytesOf(made_.filePath("cmyk.jpg")) << "a CMYK JPEG";
        QTest::newRow("damaged") << photo.left(200) + QByteArray(4000, '\x11') << "damaged JPEG";
    }
    void badFilesAreOneLine()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = dir.filePath("image");
        test::writeFile(path, bytes);
        const QString error = test::fileError([&] { readRgbImage(path.toStdString()); });
        QVERIFY2(error.contains(path) && error.contains(reason), qPrintable(error));
        QVERIFY(!error.contains('\n'));
    }

    void badConfigsAreOneLine_data()
    {
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<QString>("reason");
        QTest::newRow("json") << QByteArray("{") << "preprocessor_config.json";
        QTest::newRow("size") << QByteArray(R"({"size": {"longest_edge": 3}})") << "neither";
        QTest::newRow("resample") << QByteArray(R"({"size": 4, "resample": 1})") << "only Pillow's bilinear";
        QTest::newRow("crop") << QByteArray(R"({"size": 4, "do_center_crop": true})") << "no crop_size";
        QTest::newRow("std") << QByteArray(R"({"size": 4, "image_std": [1, 0, 1]})") << "not positive";
        QTest::newRow("mean") << QByteArray(R"({"size": 4, "image_mean": [1, 2]})") << "neither three numbers";
        QTest::newRow("side") << QByteArray(R"({"size": {"shortest_edge": 0}})") << "not a side";
    }
    void badConfigsAreOneLine()
    {
        QFETCH(QByteArray, config);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = dir.filePath("preprocessor_config.json");
        test::writeFile(path, config);
        const QString error = test::fileError([&] { readImageProcessorConfig(path.toStdString()); });
        QVERIFY2(error.contains(path) && error.contains(reason), qPrintable(error));
        QVERIFY(!error.contains('\n'));
    }
};

QTEST_GUILESS_MAIN(TestImageProcessor)
#include "test_image_processor.moc"
