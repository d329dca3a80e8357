// Safetensors: round trips through the writer, the exact bytes it writes, atomic
// replacement, lazy opening, and files broken in every way the reader must notice.

#include "io/checkpoint.h"
#include "io/dtype.h"
#include "io/error.h"
#include "io/formats.h"
#include "io/safetensors.h"
#include "tensor_files.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <bit>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

using namespace sculpt;
using namespace sculpt::test;

namespace {

QByteArray contents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// One tensor of every dtype safetensors stores; F8 only as raw bytes.
std::vector<Tensor> everyDType()
{
    return {
        {"f64", DType::F64, {2}, raw<double>({1.5, -0.25})},
        {"f32", DType::F32, {2, 1}, raw<float>({3.25f, -1e-3f})},
        {"f16", DType::F16, {2, 2}, raw<uint16_t>({0x3C00, 0xC100, 0x7BFF, 0x0001})},
        {"bf16", DType::BF16, {4}, raw<uint16_t>({0x3F80, 0xC020, 0x7F7F, 0x0001})},
        {"i64", DType::I64, {3}, raw<int64_t>({-3, 0, int64_t(1) << 40})},
        {"i32", DType::I32, {2}, raw<int32_t>({-7, 123456})},
        {"i16", DType::I16, {2}, raw<int16_t>({-32768, 32767})},
        {"i8", DType::I8, {2}, raw<int8_t>({-128, 127})},
        {"u8", DType::U8, {2}, raw<uint8_t>({0, 255})},
        {"bool", DType::BOOL, {3}, raw<uint8_t>({0, 1, 2})},
        {"f8_e4m3", DType::F8_E4M3, {3}, raw<uint8_t>({0x38, 0xB8, 0x7E})},
        {"f8_e5m2", DType::F8_E5M2, {1, 2}, raw<uint8_t>({0x3C, 0xBC})},
        {"scalar", DType::F32, {}, raw<float>({42.0f})},
    };
}

// toFloat32 of everyDType(), for the dtypes Sculpt converts.
std::map<std::string, std::vector<float>> everyDTypeAsFloat()
{
    return {
        {"f64", {1.5f, -0.25f}},
        {"f32", {3.25f, -1e-3f}},
        {"f16", {1.0f, -2.5f, 65504.0f, std::ldexp(1.0f, -24)}},
        {"bf16", {1.0f, -2.5f, std::bit_cast<float>(0x7F7F0000u), std::ldexp(1.0f, -133)}},
        {"i64", {-3.0f, 0.0f, std::ldexp(1.0f, 40)}},
        {"i32", {-7.0f, 123456.0f}},
        {"i16", {-32768.0f, 32767.0f}},
        {"i8", {-128.0f, 127.0f}},
        {"u8", {0.0f, 255.0f}},
        {"bool", {0.0f, 1.0f, 1.0f}},
        {"scalar", {42.0f}},
    };
}

// A file whose header is exactly `json` (no padding) followed by `data`.
QByteArray withHeader(const QByteArray &json, const QByteArray &data = {})
{
    return raw<uint64_t>({static_cast<uint64_t>(json.size())}) + json + data;
}

QByteArray entry(const char *name, const char *dtype, const char *shape, const char *offsets)
{
    // No raw strings here: moc mis-reads one that ends in a quote and drops the test class.
    return QByteArray("\"") + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
           ",\"data_offsets\":" + offsets + "}";
}

QByteArray header(const QList<QByteArray> &members, const QByteArray &data = {})
{
    return withHeader("{" + members.join(',') + "}", data);
}

qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').front().toLongLong();
    return -1;
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private slots:
    void init();

    void roundTripsEveryDType();
    void float8IsNotConverted();
    void readsEmptyTensorSharingAnOffset();
    void writesTheReferenceLayout();
    void replacesAnExistingFileCompletely();
    void refusedWriteLeavesTheOldFile_data();
    void refusedWriteLeavesTheOldFile();
    void failedRenameLeavesNoTemporaryFile();
    void opensLazily();
    void releaseGivesPagesBack();
    void refusesMalformedFiles_data();
    void refusesMalformedFiles();
    void everyTruncationIsAFileError();
    void openCheckpointDetectsByContent();

private:
    QString path(const QString &name) const { return dir_->filePath(name); }

    QString writeBytes(const QByteArray &bytes, const QString &name = QStringLiteral("model.safetensors"))
    {
        const QString p = path(name);
        test::writeFile(p, bytes);
        return p;
    }

    // Names in the folder, so a stray temporary file shows up.
    QStringList folder() const
    {
        return QDir(dir_->path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
    }

    // The FileError `what()` for reading `p`, or nothing when it reads. Any other
    // exception escapes and fails the test.
    static std::optional<std::string> failure(const QString &p)
    {
        try {
            readSafetensors(p.toStdString());
        } catch (const FileError &e) {
            return std::string(e.what());
        }
        return std::nullopt;
    }

    static void expectError(const std::optional<std::string> &what, const QString &p, const QString &keyword)
    {
        QVERIFY2(what, qPrintable(QStringLiteral("no FileError; expected '%1'").arg(keyword)));
        const QString message = QString::fromStdString(*what);
        QVERIFY2(message.contains(p), qPrintable(QStringLiteral("'%1' does not name the file").arg(message)));
        QVERIFY2(message.contains(keyword),
                 qPrintable(QStringLiteral("'%1' does not mention '%2'").arg(message, keyword)));
    }

    static void expectTensors(const Checkpoint &ckpt, const std::vector<Tensor> &expected)
    {
        QCOMPARE(ckpt.tensors().size(), expected.size());
        for (const auto &t : expected) {
            const TensorInfo *info = ckpt.find(t.name);
            QVERIFY2(info, t.name.c_str());
            QCOMPARE(info->dtype, t.dtype);
            QCOMPARE(info->shape, t.shape);
            QCOMPARE(toQByteArray(ckpt.bytes(*info)), t.bytes);
        }
    }

    std::unique_ptr<QTemporaryDir> dir_;
};

void TestSafetensors::init()
{
    dir_ = std::make_unique<QTemporaryDir>();
    QVERIFY(dir_->isValid());
}

void TestSafetensors::roundTripsEveryDType()
{
    const auto tensors = everyDType();
    const std::map<std::string, std::string> metadata{{"format", "pt"}, {"note", "ünïcode ✓ \"quoted\""}};
    writeTensors(path("all.safetensors"), tensors, metadata);

    const auto ckpt = readSafetensors(path("all.safetensors").toStdString());
    QCOMPARE(ckpt->format(), std::string("safetensors"));
    QCOMPARE(ckpt->metadata(), metadata);
    expectTensors(*ckpt, tensors);
    for (const auto &[name, values] : everyDTypeAsFloat())
        QCOMPARE(ckpt->toFloat32(ckpt->at(name)), values);
}

void TestSafetensors::float8IsNotConverted()
{
    writeTensors(path("f8.safetensors"), everyDType());
    const auto ckpt = readSafetensors(path("f8.safetensors").toStdString());
    for (const char *name : {"f8_e4m3", "f8_e5m2"}) {
        try {
            ckpt->toFloat32(ckpt->at(name));
            QFAIL(qPrintable(QStringLiteral("%1 converted to float32").arg(name)));
        } catch (const FileError &e) {
            QVERIFY2(std::string(e.what()).find("not supported") != std::string::npos, e.what());
        }
    }
}

void TestSafetensors::readsEmptyTensorSharingAnOffset()
{
    // The writer puts "b" (F64) first, so both tensors start at offset 0; the reference
    // reader orders by (begin, end) and accepts this file.
    const std::vector<Tensor> tensors{{"a", DType::F32, {1}, raw<float>({1.0f})}, {"b", DType::F64, {0}, {}}};
    writeTensors(path("empty.safetensors"), tensors);
    QVERIFY(contents(path("empty.safetensors")).contains(R"("b":{"dtype":"F64","shape":[0],"data_offsets":[0,0]})"));
    std::unique_ptr<Checkpoint> ckpt;
    try {
        ckpt = readSafetensors(path("empty.safetensors").toStdString());
    } catch (const FileError &e) {
        QFAIL(e.what());
    }
    expectTensors(*ckpt, tensors);
}

void TestSafetensors::writesTheReferenceLayout()
{
    // Given out of order: the writer sorts by dtype rank (I64 before F32), then name.
    const std::vector<Tensor> tensors{{"b", DType::F32, {1}, raw<float>({3.0f})},
                                      {"a", DType::F32, {2}, raw<float>({1.0f, 2.0f})},
                                      {"x", DType::I64, {1}, raw<int64_t>({7})}};
    writeTensors(path("layout.safetensors"), tensors, {{"format", "pt"}});

    // 194 bytes of JSON, padded with spaces to 200.
    const QByteArray expectedHeader =
        R"({"__metadata__":{"format":"pt"},)"
        R"("x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},)"
        R"("a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}})"
        "      ";
    const QByteArray file = contents(path("layout.safetensors"));
    QCOMPARE(file.left(8), raw<uint64_t>({200}));
    QCOMPARE(file.mid(8, 200), expectedHeader);
    QCOMPARE(file.mid(208), tensors[2].bytes + tensors[1].bytes + tensors[0].bytes);
}

void TestSafetensors::replacesAnExistingFileCompletely()
{
    writeTensors(path("model.safetensors"), {{"big", DType::U8, {4096}, QByteArray(4096, '\x5A')}}, {{"old", "yes"}});
    const std::vector<Tensor> replacement{{"small", DType::I16, {2}, raw<int16_t>({1, -1})}};
    writeTensors(path("model.safetensors"), replacement);

    const QByteArray file = contents(path("model.safetensors"));
    QVERIFY2(!file.contains('\x5A'), "bytes of the old file remain");
    QCOMPARE(folder(), QStringList{QStringLiteral("model.safetensors")});
    const auto ckpt = readSafetensors(path("model.safetensors").toStdString());
    QVERIFY(ckpt->metadata().empty());
    expectTensors(*ckpt, replacement);
}

void TestSafetensors::refusedWriteLeavesTheOldFile_data()
{
    QTest::addColumn<DType>("dtype");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    QTest::newRow("bytes short of the shape") << DType::F32 << QByteArray("w") << QByteArray(7, '\0')
                                              << QStringLiteral("does not match its shape");
    QTest::newRow("bytes beyond the shape") << DType::F32 << QByteArray("w") << QByteArray(9, '\0')
                                            << QStringLiteral("does not match its shape");
    QTest::newRow("ggml dtype") << DType::Q8_0 << QByteArray("w") << QByteArray(34, '\0')
                                << QStringLiteral("cannot store dtype Q8_0");
    QTest::newRow("reserved name") << DType::U8 << QByteArray("__metadata__") << QByteArray(2, '\0')
                                   << QStringLiteral("reserved or repeated");
    QTest::newRow("repeated name") << DType::U8 << QByteArray("kept") << QByteArray(2, '\0')
                                   << QStringLiteral("reserved or repeated");
}

void TestSafetensors::refusedWriteLeavesTheOldFile()
{
    QFETCH(DType, dtype);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    const QString p = path("model.safetensors");
    const Tensor kept{"kept", DType::U8, {2}, raw<uint8_t>({1, 2})};
    writeTensors(p, {kept});
    const QByteArray before = contents(p);

    std::optional<std::string> what;
    try {
        writeTensors(p, {kept, {name.toStdString(), dtype, {2}, bytes}});
    } catch (const FileError &e) {
        what = e.what();
    }
    expectError(what, p, reason);
    QCOMPARE(contents(p), before);
    QCOMPARE(folder(), QStringList{QStringLiteral("model.safetensors")});
}

void TestSafetensors::failedRenameLeavesNoTemporaryFile()
{
    // A non-empty folder under the target name: the temporary file is written in full,
    // then the rename over the folder fails.
    QVERIFY(QDir(dir_->path()).mkpath(QStringLiteral("model.safetensors/inside")));
    std::optional<std::string> what;
    try {
        writeTensors(path("model.safetensors"), {{"w", DType::U8, {1}, QByteArray(1, '\1')}});
    } catch (const FileError &e) {
        what = e.what();
    }
    expectError(what, path("model.safetensors"), QStringLiteral("rename failed"));
    QCOMPARE(folder(), QStringList{QStringLiteral("model.safetensors")});
}

void TestSafetensors::releaseGivesPagesBack()
{
    // 64 MiB of real data: reading it maps its pages into this process until released.
    constexpr qsizetype size = qsizetype(64) << 20;
    const QByteArray json = "{" + entry("w", "U8", "[67108864]", "[0,67108864]") + "}";
    const QString p = writeBytes(withHeader(json, QByteArray(size, '\x11')));
    const auto ckpt = readSafetensors(p.toStdString());
    const auto &w = ckpt->at("w");
    const qint64 before = residentKiB();
    qint64 sum = 0;
    for (std::byte b : ckpt->bytes(w))
        sum += std::to_integer<int>(b);
    QCOMPARE(sum, qint64(size) * 0x11);
    const qint64 touched = residentKiB();
    QVERIFY2(touched - before > 48 * 1024, qPrintable(QStringLiteral("reading grew RSS by only %1 KiB").arg(touched - before)));
    ckpt->release(w);
    const qint64 after = residentKiB();
    QVERIFY2(touched - after > 48 * 1024, qPrintable(QStringLiteral("release gave back only %1 KiB").arg(touched - after)));
    QCOMPARE(ckpt->bytes(w)[size - 1], std::byte{0x11}); // still readable: the pages fault back in
}

void TestSafetensors::opensLazily()
{
    // 8 GiB of tensor data that exists only as a hole: touching it would show in RSS.
    constexpr uint64_t big = uint64_t(8) << 30;
    const QByteArray json = "{" +
                            entry("big", "F32", "[1024,1024,2048]", "[0,8589934592]") + "," +
                            entry("tail", "U8", "[16]", "[8589934592,8589934608]") + "}";
    const QString p = writeBytes(withHeader(json));
    QVERIFY(QFile::resize(p, 8 + json.size() + big + 16));

    const qint64 before = residentKiB();
    QVERIFY(before > 0);
    const auto ckpt = readSafetensors(p.toStdString());
    QCOMPARE(ckpt->tensors().size(), size_t(2));
    QCOMPARE(ckpt->at("big").shape, (std::vector<int64_t>{1024, 1024, 2048}));
    QCOMPARE(ckpt->at("big").dtype, DType::F32);
    QCOMPARE(ckpt->at("tail").shape, (std::vector<int64_t>{16}));
    QCOMPARE(uint64_t(ckpt->bytes(ckpt->at("big")).size()), big);
    const qint64 growth = residentKiB() - before;
    QVERIFY2(growth < 20 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(growth)));
}

void TestSafetensors::refusesMalformedFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    const QByteArray zeros12(12, '\0');
    const auto row = [](const char *name, const QByteArray &bytes, const char *reason) {
        QTest::newRow(name) << bytes << QString::fromUtf8(reason);
    };

    row("empty", {}, "shorter than the 8-byte header length");
    row("seven bytes", QByteArray(7, '\0'), "shorter than the 8-byte header length");
    row("header over 100 MB", raw<uint64_t>({kMaxSafetensorsHeader + 1}) + "{}", "100 MB");
    row("header length of 2^64 - 1", raw<uint64_t>({UINT64_MAX}) + "{}", "100 MB");
    row("header past the end", raw<uint64_t>({64}) + "{}", "runs past the end of the file");
    row("empty header", withHeader({}), "not valid JSON");
    row("invalid JSON", withHeader(R"({"a":)"), "not valid JSON");
    row("non-UTF-8 string", withHeader("{\"__metadata__\":{\"k\":\"\xff\xfe\"}}"), "not valid JSON");
    row("header is an array", withHeader("[1,2]"), "header is not a JSON object");
    row("entry is a number", withHeader(R"({"a":3})"), "header entry is not an object");
    row("overlapping", header({entry("a", "F32", "[2]", "[0,8]"), entry("b", "F32", "[2]", "[4,12]")}, zeros12),
        "tensor 'b' overlaps");
    row("gap", header({entry("a", "F32", "[1]", "[0,4]"), entry("b", "F32", "[1]", "[8,12]")}, zeros12),
        "gap of 4 bytes before tensor 'b'");
    row("offsets past the end", header({entry("a", "F32", "[2]", "[0,8]")}, QByteArray(4, '\0')),
        "tensor 'a' runs past the end");
    row("trailing bytes", header({entry("a", "F32", "[1]", "[0,4]")}, QByteArray(8, '\0')),
        "4 bytes after the last tensor");
    row("offsets shorter than shape", header({entry("a", "F32", "[2]", "[0,4]")}, QByteArray(4, '\0')),
        "data_offsets cover 4 bytes");
    row("offsets longer than shape", header({entry("a", "F32", "[1]", "[0,8]")}, QByteArray(8, '\0')),
        "data_offsets cover 8 bytes");
    row("offsets reversed", header({entry("a", "U8", "[0]", "[4,0]")}), "end before they begin");
    row("three offsets", header({entry("a", "U8", "[1]", "[0,1,1]")}, QByteArray(1, '\0')),
        "data_offsets must be two non-negative integers");
    row("negative offset", header({entry("a", "U8", "[1]", "[-1,0]")}, QByteArray(1, '\0')),
        "data_offsets must be two non-negative integers");
    row("unknown dtype", header({entry("a", "F7", "[1]", "[0,1]")}, QByteArray(1, '\0')), "unknown dtype 'F7'");
    row("ggml dtype", header({entry("a", "Q8_0", "[32]", "[0,34]")}, QByteArray(34, '\0')),
        "unknown dtype 'Q8_0'");
    row("negative dimension", header({entry("a", "U8", "[-1]", "[0,1]")}, QByteArray(1, '\0')),
        "non-negative integer");
    row("fractional dimension", header({entry("a", "U8", "[1.5]", "[0,1]")}, QByteArray(1, '\0')),
        "non-negative integer");
    row("dimension as a string", header({entry("a", "U8", R"(["1"])", "[0,1]")}, QByteArray(1, '\0')),
        "non-negative integer");
    row("overflowing shape", header({entry("a", "F32", "[4294967296,4294967296,4294967296]", "[0,4]")}),
        "shape is too large");
    row("missing dtype", withHeader(R"({"a":{"shape":[1],"data_offsets":[0,1]}})", QByteArray(1, '\0')),
        "missing dtype");
    row("missing shape", withHeader(R"({"a":{"dtype":"U8","data_offsets":[0,1]}})", QByteArray(1, '\0')),
        "missing shape");
    row("missing data_offsets", withHeader(R"({"a":{"dtype":"U8","shape":[1]}})", QByteArray(1, '\0')),
        "data_offsets must be two non-negative integers");
    row("metadata value is a number", withHeader(R"({"__metadata__":{"k":1}})"),
        "__metadata__ value for 'k' is not a string");
    row("metadata is a string", withHeader(R"({"__metadata__":"k"})"), "__metadata__ is not an object");
}

void TestSafetensors::refusesMalformedFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    const QString p = writeBytes(bytes);
    expectError(failure(p), p, reason);
}

void TestSafetensors::everyTruncationIsAFileError()
{
    writeTensors(path("whole.safetensors"), everyDType(), {{"format", "pt"}});
    const QByteArray whole = contents(path("whole.safetensors"));
    QVERIFY(!failure(path("whole.safetensors")));
    for (qsizetype n = 0; n < whole.size(); ++n)
        QVERIFY2(failure(writeBytes(whole.left(n), QStringLiteral("prefix.safetensors"))),
                 qPrintable(QStringLiteral("prefix of %1 of %2 bytes read").arg(n).arg(whole.size())));
}

void TestSafetensors::openCheckpointDetectsByContent()
{
    const std::vector<Tensor> tensors{{"w", DType::BF16, {2}, raw<uint16_t>({0x3F80, 0x4000})}};
    writeTensors(path("model.bin"), tensors);
    const auto ckpt = openCheckpoint(path("model.bin").toStdString());
    QCOMPARE(ckpt->format(), std::string("safetensors"));
    expectTensors(*ckpt, tensors);
}

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
