// IDX image sets, raw and gzip: the real MNIST test set, and broken files that must each be
// one line naming the file and the reason, never a crash or a huge allocation.

#include "io/error.h"
#include "idx_files.h"
#include "data/idx.h"
#include "test_files.h"
#include "child_process.h"

#include <QTemporaryDir>
#include <zlib.h>

using namespace sculpt;

namespace {

using sculpt::test::idxFile;
constexpr uint32_t kImages = sculpt::test::kIdxImages, kLabels = sculpt::test::kIdxLabels;

// One gzip member, as gzip(1) writes it.
QByteArray gzip(const QByteArray &data)
{
    z_stream z{};
    if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(int(deflateBound(&z, uLong(data.size()))), '\0');
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    z.avail_in = uInt(data.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(qsizetype(z.total_out));
    deflateEnd(&z);
    return out;
}

// Three 2×4 images whose pixels count up from 1.
QByteArray pixels()
{
    QByteArray body;
    for (int i = 0; i < 24; ++i)
        body.append(char(i + 1));
    return body;
}

} // namespace

class TestIdx : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rawAndGzipReadAlike_data()
    {
        QTest::addColumn<bool>("compressed");
        QTest::newRow("raw") << false;
        QTest::newRow("gzip") << true;
    }
    void rawAndGzipReadAlike()
    {
        QFETCH(bool, compressed);
        QTemporaryDir dir;
        const QString images = dir.filePath("images"), labels = dir.filePath("labels");
        const QByteArray imageFile = idxFile(kImages, {3, 2, 4}, pixels()), labelFile = idxFile(kLabels, {3}, "\x07\x02\x01");
        sculpt::test::writeFile(images, compressed ? gzip(imageFile) : imageFile);
        sculpt::test::writeFile(labels, compressed ? gzip(labelFile) : labelFile);

        const IdxImages read = readIdxImages(images.toStdString());
        QCOMPARE(read.count, 3);
        QCOMPARE(read.rows, 2);
        QCOMPARE(read.cols, 4);
        QCOMPARE(read.pixels.size(), size_t(24));
        QCOMPARE(read.image(2)[0], uint8_t(17));
        QCOMPARE(readIdxLabels(labels.toStdString()), (std::vector<uint8_t>{7, 2, 1}));
    }

    void gzipMembersFollowEachOther()
    {
        // `cat a.gz b.gz` is one valid gzip file of both.
        QTemporaryDir dir;
        const QByteArray file = idxFile(kImages, {3, 2, 4}, pixels());
        sculpt::test::writeFile(dir.filePath("images"), gzip(file.left(20)) + gzip(file.mid(20)));
        QCOMPARE(readIdxImages(dir.filePath("images").toStdString()).image(1)[7], uint8_t(16));
    }

    void emptySetIsValid()
    {
        QTemporaryDir dir;
        sculpt::test::writeFile(dir.filePath("images"), idxFile(kImages, {0, 28, 28}, {}));
        QCOMPARE(readIdxImages(dir.filePath("images").toStdString()).count, 0);
    }

    void realMnistTestSet()
    {
        SCULPT_REQUIRE_SHARED(images, "mnist_t10k/t10k-images-idx3-ubyte.gz");
        SCULPT_REQUIRE_SHARED(labels, "mnist_t10k/t10k-labels-idx1-ubyte.gz");
        const IdxImages read = readIdxImages(images.toStdString());
        QCOMPARE(read.count, 10000);
        QCOMPARE(read.rows, 28);
        QCOMPARE(read.cols, 28);
        const std::vector<uint8_t> digits = readIdxLabels(labels.toStdString());
        QCOMPARE(digits.size(), size_t(10000));
        QCOMPARE((std::vector<uint8_t>(digits.begin(), digits.begin() + 5)), (std::vector<uint8_t>{7, 2, 1, 0, 4}));
        QCOMPARE(*std::max_element(digits.begin(), digits.end()), uint8_t(9));
        // The first test image, a 7, has ink in its middle rows and none in its corners.
        QCOMPARE(read.image(0)[0], uint8_t(0));
        QVERIFY(*std::max_element(read.image(0).begin(), read.image(0).end()) == 255);
    }

    void brokenFiles_data()
    {
        QTest::addColumn<bool>("images");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        const QByteArray good = idxFile(kImages, {3, 2, 4}, pixels());
        const QByteArray packed = gzip(good);
        QByteArray flipped = gzip(idxFile(kImages, {3, 2, 4}, QByteArray(24, 'x')));
        flipped[flipped.size() - 6] = char(flipped[flipped.size() - 6] ^ 0xff); // inside the CRC

        QTest::newRow("empty") << true << QByteArray() << "too short for an IDX header";
        QTest::newRow("short header") << true << good.left(10) << "too short for an IDX header";
        QTest::newRow("not IDX") << true << QByteArray("\x89PNG\r\n\x1a\n and so on") << "magic 0x89504E47";
        QTest::newRow("labels given as images") << true << idxFile(kLabels, {3}, "abc") << "is an IDX label file";
        QTest::newRow("images given as labels") << false << good << "is an IDX image file";
        QTest::newRow("int32 IDX") << true << idxFile(0x00000C03, {3, 2, 4}, pixels()) << "magic 0x00000C03";
        QTest::newRow("truncated") << true << good.left(good.size() - 1) << "(24 bytes), but only 23 bytes follow the header";
        QTest::newRow("trailing bytes") << true << good + "z" << "more data follows the 3 images of 2×4 pixels";
        QTest::newRow("absurd count") << true << idxFile(kImages, {0x7fffffff, 28, 28}, pixels()) << "1683627179248 bytes";
        QTest::newRow("overflowing count") << true << idxFile(kImages, {0xffffffff, 0xffffffff, 0xffffffff}, pixels())
                                           << "too many bytes";
        QTest::newRow("no pixels") << true << idxFile(kImages, {3, 0, 28}, {}) << "an image needs at least one pixel";
        QTest::newRow("labels truncated") << false << idxFile(kLabels, {5}, "abc") << "5 labels";
        QTest::newRow("gzip bomb claim") << true << gzip(idxFile(kImages, {1000000, 28, 28}, pixels()))
                                         << "more than a gzip file of";
        QTest::newRow("gzip data cut") << true << packed.left(packed.size() / 2) << "the data ends after";
        QTest::newRow("gzip trailer cut") << true << packed.left(packed.size() - 4) << "gzip stream is truncated";
        QTest::newRow("gzip checksum") << true << flipped << "damaged gzip data";
        QTest::newRow("gzip then garbage") << true << packed + "garbage!" << "damaged gzip data";
        QTest::newRow("gzip longer") << true << gzip(good + "more") << "more data follows";
    }
    void brokenFiles()
    {
        QFETCH(bool, images);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = dir.filePath("set.idx");
        sculpt::test::writeFile(path, bytes);
        try {
            if (images)
                readIdxImages(path.toStdString());
            else
                readIdxLabels(path.toStdString());
            QFAIL("read without an error");
        } catch (const FileError &e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.startsWith(path + ": ") && message.contains(reason) && !message.contains('\n'),
                     qPrintable(message));
        }
    }

    // A 4 MB gzip file whose header claims 5.1 million images (4 GB): within deflate's
    // ratio, so only the data itself shows the claim false. Reading it must not cost the 4 GB
    // claimed first.
    void lyingGzipHeaderCostsOnlyItsData()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("lying.gz");
        QByteArray noise(4 << 20, '\0');
        quint64 state = 88172645463325252ull; // xorshift: incompressible bytes
        for (char &c : noise) {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;
            c = char(state);
        }
        sculpt::test::writeFile(path, gzip(idxFile(kImages, {5'100'000, 28, 28}, noise)));
        const auto child = sculpt::test::runInChild([&] {
            try {
                readIdxImages(path.toStdString());
            } catch (const FileError &e) {
                return std::string(e.what());
            }
            return std::string("read without an error");
        });
        QVERIFY(child.finished);
        QVERIFY2(QString::fromStdString(child.message).contains("the data ends after 4194304 of the 3998400000 bytes"),
                 child.message.c_str());
        QVERIFY2(child.peakKb < 200 * 1024, qPrintable(QString("peak %1 MB").arg(child.peakKb / 1024)));
    }

    void missingFile()
    {
        QVERIFY_THROWS_EXCEPTION(FileError, readIdxImages("/nonexistent/t10k-images-idx3-ubyte.gz"));
    }
};

QTEST_GUILESS_MAIN(TestIdx)
#include "test_idx.moc"
