// The zoo's vision-language questions: three per Fashion-MNIST image, answered from its label;
// written as PNGs and LLaVA's conversation JSON that readImageQuestions reads back, each image
// the same pixels, the folder complete or not at all.

#include "data/fashion_questions.h"
#include "data/image_questions.h"
#include "data/png_encoding.h"
#include "data/png_image.h"
#include "io/error.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>

using namespace sculpt;

namespace {

// Three made-up 5×4 images with labels 0 (a t-shirt), 9 (an ankle boot) and 8 (a bag).
IdxImages threeImages()
{
    IdxImages images{3, 4, 5, {}};
    for (int i = 0; i < 3 * 20; ++i)
        images.pixels.push_back(uint8_t(i * 37 % 256));
    return images;
}
const std::vector<uint8_t> kLabels{0, 9, 8};

} // namespace

class TestFashionQuestions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void answersFollowTheLabel()
    {
        const std::vector<TemplatedQuestion> boot = fashionQuestions(9);
        QCOMPARE(boot.size(), size_t(3));
        QCOMPARE(QString::fromStdString(boot[0].answer), QString("an ankle boot"));
        QCOMPARE(QString::fromStdString(boot[1].answer), QString("yes"));
        QCOMPARE(QString::fromStdString(boot[2].answer), QString("footwear"));
        const std::vector<TemplatedQuestion> trousers = fashionQuestions(1);
        QCOMPARE(QString::fromStdString(trousers[0].answer), QString("trousers"));
        QCOMPARE(QString::fromStdString(trousers[1].answer), QString("no"));
        QCOMPARE(QString::fromStdString(trousers[2].answer), QString("clothing"));
        QCOMPARE(QString::fromStdString(fashionQuestions(8)[2].answer), QString("accessory"));
        for (uint8_t label = 0; label < 10; ++label)
            QCOMPARE(fashionQuestions(label)[0].question, boot[0].question);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fashionQuestions(10));
    }

    void pngsReadBackExactly()
    {
        QTemporaryDir dir;
        const GreyImage image{5, 3, {0, 1, 2, 3, 4, 250, 251, 252, 253, 254, 255, 128, 64, 32, 16}};
        const std::vector<uint8_t> png = encodePng(image);
        const QString path = dir.filePath("x.png");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(reinterpret_cast<const char *>(png.data()), qint64(png.size()));
        file.close();
        const GreyImage back = readPngGrey(path.toStdString());
        QCOMPARE(back.width, image.width);
        QCOMPARE(back.height, image.height);
        QVERIFY(back.pixels == image.pixels);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, encodePng(GreyImage{2, 2, {1, 2, 3}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, encodePng(GreyImage{}));
    }

    void writtenSetsReadBack()
    {
        QTemporaryDir dir;
        const IdxImages images = threeImages();
        const std::string folder = dir.filePath("set").toStdString();
        const std::string json = writeFashionQuestions(images, kLabels, 1, 2, folder);
        QCOMPARE(QString::fromStdString(json), dir.filePath("set/questions.json"));
        const std::vector<ImageQuestion> pairs = readImageQuestions(json);
        QCOMPARE(pairs.size(), size_t(6)); // images 1 and 2, three questions each
        QCOMPARE(QString::fromStdString(pairs[0].image), dir.filePath("set/00001.png"));
        QCOMPARE(QString::fromStdString(pairs[0].question), QString("What is it?"));
        QCOMPARE(QString::fromStdString(pairs[0].answer), QString("an ankle boot"));
        QCOMPARE(QString::fromStdString(pairs[4].answer), QString("no")); // a bag is not worn on the feet
        const GreyImage second = readPngGrey(pairs[3].image);
        const std::span<const uint8_t> expected = images.image(2);
        QVERIFY(std::equal(second.pixels.begin(), second.pixels.end(), expected.begin(), expected.end()));
    }

    void refusesAndLeavesNothing()
    {
        QTemporaryDir dir;
        const IdxImages images = threeImages();
        const std::string folder = dir.filePath("set").toStdString();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writeFashionQuestions(images, kLabels, 2, 2, folder));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writeFashionQuestions(images, {kLabels.data(), 2}, 0, 3, folder));
        const std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(Cancelled, writeFashionQuestions(images, kLabels, 0, 3, folder, JobContext({}, &cancel)));
        QCOMPARE(QDir(dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries), QStringList());
    }
};

QTEST_APPLESS_MAIN(TestFashionQuestions)
#include "test_fashion_questions.moc"
