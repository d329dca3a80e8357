// PNG images read as 8-bit grey, whatever their colour type and depth, and the sheets and
// image sets made from them. The PNGs are written here with libpng; broken ones must each be
// one line naming the file and the reason, never a crash or a huge allocation.

#include "data/image_sheet.h"
#include "data/png_image.h"
#include "file_errors.h"
#include "test_files.h"

#include <QTemporaryDir>
#include <QtTest>

#include <csetjmp>
#include <png.h>
#include <zlib.h>

using namespace sculpt;

namespace {

struct PngSpec {
    png_uint_32 width = 0, height = 0;
    int colourType = PNG_COLOR_TYPE_GRAY;
    int bitDepth = 8;
    bool interlaced = false;
    std::vector<uint8_t> rows; // as the file stores them: packed bits, 16-bit big-endian
    std::vector<png_color> palette;
};

void appendBytes(png_structp png, png_bytep data, size_t length)
{
    static_cast<QByteArray *>(png_get_io_ptr(png))->append(reinterpret_cast<const char *>(data), qsizetype(length));
}

void flushNothing(png_structp) {}

// Writes `spec` through `png` into `out`; false on a libpng error, which longjmps back here,
// so nothing here has a destructor.
bool encode(png_structp png, png_infop info, const PngSpec &spec, QByteArray *out)
{
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_set_write_fn(png, out, appendBytes, flushNothing);
    png_set_IHDR(png, info, spec.width, spec.height, spec.bitDepth, spec.colourType,
                 spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (!spec.palette.empty())
        png_set_PLTE(png, info, spec.palette.data(), int(spec.palette.size()));
    png_write_info(png, info);
    const size_t rowBytes = spec.rows.size() / spec.height;
    for (int pass = png_set_interlace_handling(png); pass > 0; --pass)
        for (png_uint_32 y = 0; y < spec.height; ++y)
            png_write_row(png, spec.rows.data() + y * rowBytes);
    png_write_end(png, nullptr);
    return true;
}

// The PNG file libpng writes for `spec`, empty when libpng refuses it.
QByteArray png(const PngSpec &spec)
{
    QByteArray out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    const bool written = encode(png, info, spec, &out);
    png_destroy_write_struct(&png, &info);
    return written ? out : QByteArray();
}

// An 8-bit grey PNG of `pixels`, row-major.
QByteArray greyPng(png_uint_32 width, png_uint_32 height, const std::vector<uint8_t> &pixels)
{
    return png({width, height, PNG_COLOR_TYPE_GRAY, 8, false, pixels, {}});
}

// `file` with the chunk starting at `offset` given new data of the same length and its CRC
// recomputed: a well-formed file that says something else.
QByteArray rewriteChunk(QByteArray file, qsizetype offset, const QByteArray &data)
{
    file.replace(offset + 8, data.size(), data);
    const auto *typeAndData = reinterpret_cast<const Bytef *>(file.constData() + offset + 4);
    const uLong crc = crc32(0, typeAndData, uInt(4 + data.size()));
    for (int i = 0; i < 4; ++i)
        file[offset + 8 + data.size() + i] = char(crc >> (24 - 8 * i));
    return file;
}

QByteArray bigEndian(uint32_t value)
{
    QByteArray out;
    for (int shift = 24; shift >= 0; shift -= 8)
        out.append(char(value >> shift));
    return out;
}

GreyImage readBytes(const QByteArray &bytes)
{
    QTemporaryDir dir;
    const QString path = dir.filePath("image.png");
    sculpt::test::writeFile(path, bytes);
    return readPngGrey(path.toStdString());
}

IdxImages images(int64_t count, int64_t rows, int64_t cols, std::vector<uint8_t> pixels)
{
    return {count, rows, cols, std::move(pixels)};
}

} // namespace

class TestPngImage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyKindTurnsGrey_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<int>("width");
        QTest::addColumn<std::vector<uint8_t>>("grey");
        const std::vector<uint8_t> ramp = {0, 17, 255, 128, 1, 254};
        QTest::newRow("grey 8") << greyPng(3, 2, ramp) << 3 << ramp;
        QTest::newRow("grey 1") << png({9, 1, PNG_COLOR_TYPE_GRAY, 1, false, {0b10110000, 0b10000000}, {}}) << 9
                                << std::vector<uint8_t>{255, 0, 255, 255, 0, 0, 0, 0, 255};
        // 16 bits scale to 8 rounded (0x12FF is 18.9 × 257), not cut to the high byte (18).
        QTest::newRow("grey 16") << png({3, 1, PNG_COLOR_TYPE_GRAY, 16, false, {0xff, 0xff, 0x12, 0xff, 0x80, 0x80}, {}})
                                 << 3 << std::vector<uint8_t>{255, 19, 128};
        // libpng's default weights, Rec. 709 luminance: red 0.2126, green 0.7152, blue 0.0722.
        QTest::newRow("RGB") << png({5, 1, PNG_COLOR_TYPE_RGB, 8, false,
                                     {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 77, 77, 77}, {}})
                             << 5 << std::vector<uint8_t>{54, 182, 18, 255, 77};
        QTest::newRow("RGB 16") << png({2, 1, PNG_COLOR_TYPE_RGB, 16, false,
                                        {0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {}})
                                << 2 << std::vector<uint8_t>{182, 255};
        // Alpha is dropped, not composited: a transparent pixel keeps its colour.
        QTest::newRow("RGBA") << png({2, 1, PNG_COLOR_TYPE_RGBA, 8, false, {0, 255, 0, 0, 10, 10, 10, 128}, {}}) << 2
                              << std::vector<uint8_t>{182, 10};
        QTest::newRow("grey + alpha") << png({2, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, false, {100, 0, 200, 255}, {}})
                                      << 2 << std::vector<uint8_t>{100, 200};
        QTest::newRow("palette 2") << png({4, 1, PNG_COLOR_TYPE_PALETTE, 2, false, {0b00011001},
                                           {{0, 0, 0}, {255, 255, 255}, {0, 255, 0}}})
                                   << 4 << std::vector<uint8_t>{0, 255, 182, 255};
        std::vector<uint8_t> gradient(64);
        for (size_t i = 0; i < gradient.size(); ++i)
            gradient[i] = uint8_t(i * 4);
        QTest::newRow("interlaced") << png({8, 8, PNG_COLOR_TYPE_GRAY, 8, true, gradient, {}}) << 8 << gradient;
    }
    void everyKindTurnsGrey()
    {
        QFETCH(QByteArray, file);
        QFETCH(int, width);
        QFETCH(std::vector<uint8_t>, grey);
        QVERIFY(!file.isEmpty());
        const GreyImage image = readBytes(file);
        QCOMPARE(image.width, width);
        QCOMPARE(image.height, int64_t(grey.size()) / width);
        QCOMPARE(image.pixels, grey);
    }

    void brokenFiles_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        std::vector<uint8_t> gradient(64 * 64);
        for (size_t i = 0; i < gradient.size(); ++i)
            gradient[i] = uint8_t(i * 7 + i / 64);
        const QByteArray good = greyPng(64, 64, gradient);
        QVERIFY(!good.isEmpty());
        const qsizetype ihdr = 8, idat = good.indexOf("IDAT") - 4, iend = good.indexOf("IEND") - 4;
        QByteArray badCrc = good;
        badCrc[ihdr + 8 + 13] = char(badCrc[ihdr + 8 + 13] ^ 1);
        const QByteArray deflate = good.mid(idat + 8, good.indexOf("IEND") - 8 - (idat + 8));
        QByteArray scrambled = deflate;
        for (qsizetype i = 2; i < scrambled.size() - 4; i += 3)
            scrambled[i] = char(~scrambled[i]);
        const QByteArray oneDot = greyPng(1, 1, {255});
        const auto withSize = [&](uint32_t width, uint32_t height, uint8_t depth) {
            return rewriteChunk(oneDot, ihdr, bigEndian(width) + bigEndian(height) + char(depth) + QByteArray(4, '\0'));
        };

        QTest::newRow("empty") << QByteArray() << "not a PNG";
        QTest::newRow("text") << QByteArray("hello, this is not an image") << "not a PNG";
        QTest::newRow("JPEG") << QByteArray("\xff\xd8\xff\xe0\x00\x10JFIF\x00", 11) << "not a PNG";
        QTest::newRow("signature only") << good.left(8) << "damaged PNG: the file ends early";
        QTest::newRow("cut in the header") << good.left(20) << "damaged PNG: the file ends early";
        QTest::newRow("cut in the pixels") << good.left(idat + 40) << "damaged PNG: the file ends early";
        QTest::newRow("cut before IEND") << good.left(iend) << "damaged PNG: the file ends early";
        QTest::newRow("header CRC") << badCrc << "damaged PNG: IHDR: CRC error";
        QTest::newRow("pixels scrambled") << rewriteChunk(good, idat, scrambled) << "damaged PNG:";
        QTest::newRow("no pixels") << oneDot.left(ihdr + 25) + oneDot.mid(oneDot.indexOf("IEND") - 4)
                                   << "damaged PNG: IEND: out of place";
        QTest::newRow("bad depth") << withSize(1, 1, 3) << "damaged PNG: Invalid IHDR data";
        QTest::newRow("zero width") << withSize(0, 1, 8) << "damaged PNG: Invalid IHDR data";
        QTest::newRow("too wide") << withSize(20000, 1, 8) << "the image is 20000×1 pixels; PNGs of at most 16384";
        QTest::newRow("too tall") << withSize(1, 16385, 8) << "the image is 1×16385 pixels";
        // 256 MiB of pixels from 32 MiB of 1-bit data claimed by a file of a few dozen bytes.
        QTest::newRow("pixels the file cannot hold") << withSize(16384, 16384, 1)
                                                     << "(33554432 bytes of image data), more than a PNG file of";
    }
    void brokenFiles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = dir.filePath("broken.png");
        sculpt::test::writeFile(path, bytes);
        const QString error = sculpt::test::fileError([&] { readPngGrey(path.toStdString()); });
        QVERIFY2(error.startsWith(path + ": "), qPrintable(error));
        QVERIFY2(error.contains(reason), qPrintable(error));
        QVERIFY2(!error.contains('\n'), qPrintable(error));
    }

    void missingFile()
    {
        const QString error = sculpt::test::fileError([] { readPngGrey("/nonexistent/digits.png"); });
        QCOMPARE(error, QStringLiteral("/nonexistent/digits.png: No such file or directory"));
    }

    void sheetTilesGoAcrossThenDown()
    {
        // A 6×4 sheet of four 3×2 tiles whose pixels say tile·10 + position in the tile.
        std::vector<uint8_t> sheet(24);
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 6; ++x)
                sheet[size_t(y * 6 + x)] = uint8_t((y / 2 * 2 + x / 3) * 10 + (y % 2) * 3 + x % 3);
        QTemporaryDir dir;
        const QString path = dir.filePath("sheet.png");
        sculpt::test::writeFile(path, greyPng(6, 4, sheet));
        const IdxImages tiles = readImageSheet(path.toStdString(), 2, 3);
        QCOMPARE(tiles.count, 4);
        QCOMPARE(tiles.rows, 2);
        QCOMPARE(tiles.cols, 3);
        for (int64_t t = 0; t < 4; ++t)
            for (int64_t i = 0; i < 6; ++i)
                QCOMPARE(tiles.image(t)[size_t(i)], uint8_t(t * 10 + i));
    }

    void sheetOfAnotherSize()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("sheet.png");
        sculpt::test::writeFile(path, greyPng(30, 20, std::vector<uint8_t>(600)));
        QCOMPARE(sculpt::test::fileError([&] { readImageSheet(path.toStdString(), 20, 20); }),
                 path + ": the sheet's 30×20 pixels are not a whole number of 20×20 tiles");
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, readImageSheet(path.toStdString(), 0, 20));
    }

    void padCentres()
    {
        const IdxImages padded = padImages(images(2, 2, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), 5, 6);
        QCOMPARE(padded.count, 2);
        // Margins of 1.5 rows and 1.5 columns: one above and left, two below and right.
        const std::vector<uint8_t> second = {0, 0, 0,  0,  0,  0, //
                                             0, 7, 8,  9,  0,  0, //
                                             0, 10, 11, 12, 0, 0, //
                                             0, 0, 0,  0,  0,  0, //
                                             0, 0, 0,  0,  0,  0};
        QCOMPARE(std::vector<uint8_t>(padded.image(1).begin(), padded.image(1).end()), second);

        // MNIST's layout: a 20×20 digit inside 28×28 leaves four blank pixels on every side.
        const IdxImages mnist = padImages(images(1, 20, 20, std::vector<uint8_t>(400, 9)), 28, 28);
        for (int64_t y = 0; y < 28; ++y)
            for (int64_t x = 0; x < 28; ++x)
                QCOMPARE(mnist.pixels[size_t(y * 28 + x)], uint8_t(y >= 4 && y < 24 && x >= 4 && x < 24 ? 9 : 0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, padImages(images(1, 20, 20, std::vector<uint8_t>(400)), 28, 19));
    }

    void resizeBilinear()
    {
        const IdxImages square = images(1, 2, 2, {0, 100, 200, 255});
        QCOMPARE(resizeImages(square, 2, 2).pixels, square.pixels);
        // Pixel centres aligned: output pixel x samples input x/2 − 0.25, clamped to the edges.
        // PyTorch's interpolate(mode='bilinear', align_corners=False) gives these, unrounded.
        const std::vector<uint8_t> doubled = {0,   25,  75,  100, //
                                              50,  72,  117, 139, //
                                              150, 167, 200, 216, //
                                              200, 214, 241, 255};
        QCOMPARE(resizeImages(square, 4, 4).pixels, doubled);
        // Halving samples between each 2×2 block's pixels: their mean.
        QCOMPARE(resizeImages(images(1, 2, 4, {0, 10, 20, 40, 100, 110, 120, 200}), 1, 2).pixels,
                 (std::vector<uint8_t>{55, 95}));
        QCOMPARE(resizeImages(images(0, 0, 0, {}), 3, 3).count, 0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resizeImages(square, 0, 4));
    }
};

QTEST_GUILESS_MAIN(TestPngImage)
#include "test_png_image.moc"
