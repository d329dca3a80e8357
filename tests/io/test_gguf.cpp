#include "io/checkpoint.h"
#include "io/dtype.h"
#include "io/error.h"
#include "io/formats.h"
#include "io/gguf.h"
#include "test_files.h"

#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <bit>
#include <optional>
#include <string>
#include <vector>

using namespace sculpt;

namespace {

// ggml type ids and GGUF metadata value types used below.
enum : uint32_t { F32 = 0, F16 = 1, Q4_0 = 2, Q8_0 = 8, Q4_K = 12, I32 = 26, BF16 = 30 };
enum : uint32_t { UINT8 = 0, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, FLOAT64 = 12 };

template <typename T> QByteArray le(T value)
{
    QByteArray out(sizeof(T), '\0');
    qToLittleEndian(value, out.data());
    return out;
}

QByteArray f32(float v) { return le(std::bit_cast<uint32_t>(v)); }
QByteArray str(const QByteArray &s) { return le<uint64_t>(s.size()) + s; }
QByteArray array(uint32_t type, uint64_t count, const QByteArray &items) { return le(type) + le(count) + items; }

template <typename T> QByteArray values(std::initializer_list<T> list)
{
    QByteArray out;
    for (T v : list)
        out += le(v);
    return out;
}

QByteArray floats(std::initializer_list<float> list)
{
    QByteArray out;
    for (float v : list)
        out += f32(v);
    return out;
}

struct TensorSpec {
    QByteArray name;
    std::vector<uint64_t> dims; // ggml order: innermost first
    uint32_t type = F32;
    QByteArray data;
    std::optional<uint64_t> offset; // default: the next aligned offset after the previous tensor
    std::optional<uint32_t> nDims;  // default: dims.size()
};

// Writes GGUF files byte by byte, with knobs to make them lie.
struct GgufWriter {
    uint32_t version = 3;
    uint32_t alignment = 32; // padding only; add a general.alignment key to announce it
    std::optional<uint64_t> tensorCount;
    std::optional<uint64_t> kvCount;
    QByteArray kvs;
    int kvsWritten = 0;
    std::vector<TensorSpec> tensors;

    void kv(const QByteArray &key, uint32_t type, const QByteArray &value)
    {
        kvs += str(key) + le(type) + value;
        ++kvsWritten;
    }

    QByteArray bytes() const
    {
        QByteArray out = "GGUF" + le(version) + le<uint64_t>(tensorCount.value_or(tensors.size())) +
                         le<uint64_t>(kvCount.value_or(kvsWritten)) + kvs;
        QByteArray data;
        for (const auto &t : tensors) {
            out += str(t.name) + le<uint32_t>(t.nDims.value_or(static_cast<uint32_t>(t.dims.size())));
            for (uint64_t d : t.dims)
                out += le(d);
            data.append((alignment - data.size() % alignment) % alignment, '\0');
            out += le(t.type) + le<uint64_t>(t.offset.value_or(data.size()));
            data += t.data;
        }
        out.append((alignment - out.size() % alignment) % alignment, '\0');
        return out + data;
    }
};

QByteArray q8Block(float scale, const std::vector<int8_t> &quants)
{
    QByteArray out = le(floatToHalf(scale));
    for (int8_t q : quants)
        out += static_cast<char>(q);
    return out;
}

// A small valid file every corruption test starts from.
GgufWriter smallFile()
{
    GgufWriter w;
    w.kv("general.architecture", STRING, str("llama"));
    w.kv("tokens", ARRAY, array(STRING, 2, str("a") + str("bc")));
    w.tensors.push_back({"a", {2, 3}, F32, floats({1, 2, 3, 4, 5, 6}), {}, {}});
    w.tensors.push_back({"b", {4}, F16, values<uint16_t>({0x3C00, 0x4000, 0xC000, 0}), {}, {}});
    return w;
}

} // namespace

class TestGguf : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(dir_.isValid()); }

    void readsVersion3();
    void readsVersion2();
    void refusesVersion1();
    void listsUnconvertibleQuantTypes();
    void honoursCustomAlignment();
    void refusesBadAlignment();
    void summarisesLongArrays();
    void everyTruncationIsAFileError();
    void corruptBytesNeverCrash();
    void refusesAbsurdCounts();
    void refusesStringsLongerThanTheFile();
    void refusesOverlongNames();
    void refusesAbsurdDimensions();
    void refusesOverflowingDimensions();
    void refusesPartialQuantBlocks();
    void refusesUnknownTypes();
    void refusesDeepArrays();
    void refusesDuplicateKeys();
    void refusesOffsetPastTheEnd();
    void refusesMisalignedOffset();
    void refusesOverlappingTensors();
    void claimsOnlyTheMagic();
    void openCheckpointDetectsByMagic();

private:
    QString write(const QByteArray &bytes, const QString &name = QStringLiteral("model.gguf"))
    {
        const QString path = dir_.filePath(name);
        sculpt::test::writeFile(path, bytes);
        return path;
    }

    std::unique_ptr<Checkpoint> read(const QByteArray &bytes) { return readGguf(write(bytes).toStdString()); }

    // The FileError reason for reading `bytes`, or nothing when they read. Any other
    // exception escapes and fails the test.
    std::optional<std::string> failure(const QByteArray &bytes)
    {
        try {
            read(bytes);
        } catch (const FileError &e) {
            return e.reason();
        }
        return std::nullopt;
    }

    void expectFailure(const QByteArray &bytes, const char *needle)
    {
        const auto reason = failure(bytes);
        QVERIFY2(reason, qPrintable(QStringLiteral("read without error; expected '%1'").arg(needle)));
        QVERIFY2(reason->find(needle) != std::string::npos,
                 qPrintable(QStringLiteral("'%1' does not mention '%2'").arg(reason->c_str(), needle)));
    }

    QTemporaryDir dir_;
};

void TestGguf::readsVersion3()
{
    GgufWriter w;
    w.kv("general.architecture", STRING, str("llama"));
    w.kv("llama.block_count", UINT32, le<uint32_t>(2));
    w.kv("llama.rope.freq_base", FLOAT32, f32(10000.5f));
    w.kv("llama.eps", FLOAT64, le(std::bit_cast<uint64_t>(1e-5)));
    w.kv("general.offset", INT32, le<int32_t>(-5));
    w.kv("general.big", UINT64, le<uint64_t>(UINT64_MAX));
    w.kv("general.flag", BOOL, le<uint8_t>(1));
    w.kv("general.off", BOOL, le<uint8_t>(0));
    w.kv("tokenizer.ggml.tokens", ARRAY, array(STRING, 3, str("<s>") + str("a\"b") + str("c\nd")));
    w.kv("nested", ARRAY, array(ARRAY, 2, array(UINT8, 2, "\x01\x02") + array(UINT8, 0, {})));

    // Q8_0: two blocks of 32, scales 0.5 and -0.25.
    std::vector<int8_t> q0, q1;
    for (int i = 0; i < 32; ++i) {
        q0.push_back(static_cast<int8_t>(i - 16));
        q1.push_back(static_cast<int8_t>(i % 2 ? 127 : -128));
    }
    // Q4_0: one block, scale 2; byte j holds element j (low nibble) and j + 16 (high).
    QByteArray q4 = le(floatToHalf(2.0f));
    for (int j = 0; j < 16; ++j)
        q4 += static_cast<char>(j | (15 - j) << 4);

    w.tensors.push_back({"f32", {3, 2}, F32, floats({0, 1, 2, 3, 4, 5}), {}, {}});
    w.tensors.push_back({"f16", {4}, F16, values<uint16_t>({floatToHalf(1), floatToHalf(-2), floatToHalf(0.5f),
                                                            floatToHalf(65504)}), {}, {}});
    w.tensors.push_back({"bf16", {2, 2}, BF16, values<uint16_t>({0x3FC0, 0xC040, 0x3E80, 0x42C8}), {}, {}});
    w.tensors.push_back({"q8", {32, 2}, Q8_0, q8Block(0.5f, q0) + q8Block(-0.25f, q1), {}, {}});
    w.tensors.push_back({"q4", {32}, Q4_0, q4, {}, {}});
    w.tensors.push_back({"i32", {3}, I32, values<int32_t>({-7, 0, 123456}), {}, {}});

    const auto ckpt = read(w.bytes());
    QCOMPARE(ckpt->format(), std::string("gguf"));
    QCOMPARE(ckpt->tensors().size(), size_t(6));

    const auto &meta = ckpt->metadata();
    QCOMPARE(meta.size(), size_t(10));
    QCOMPARE(meta.at("general.architecture"), std::string("llama"));
    QCOMPARE(meta.at("llama.block_count"), std::string("2"));
    QCOMPARE(meta.at("llama.rope.freq_base"), std::string("10000.5"));
    QCOMPARE(meta.at("llama.eps"), std::string("1e-05"));
    QCOMPARE(meta.at("general.offset"), std::string("-5"));
    QCOMPARE(meta.at("general.big"), std::string("18446744073709551615"));
    QCOMPARE(meta.at("general.flag"), std::string("true"));
    QCOMPARE(meta.at("general.off"), std::string("false"));
    QCOMPARE(meta.at("tokenizer.ggml.tokens"), std::string("[\"<s>\", \"a\\\"b\", \"c\\u000ad\"]"));
    QCOMPARE(meta.at("nested"), std::string("[[1, 2], []]"));

    const auto &f = ckpt->at("f32");
    QCOMPARE(f.shape, (std::vector<int64_t>{2, 3}));
    QCOMPARE(f.dtype, DType::F32);
    QCOMPARE(ckpt->toFloat32(f), (std::vector<float>{0, 1, 2, 3, 4, 5}));

    QCOMPARE(ckpt->at("f16").dtype, DType::F16);
    QCOMPARE(ckpt->toFloat32(ckpt->at("f16")), (std::vector<float>{1, -2, 0.5f, 65504}));

    QCOMPARE(ckpt->at("bf16").shape, (std::vector<int64_t>{2, 2}));
    QCOMPARE(ckpt->at("bf16").dtype, DType::BF16);
    QCOMPARE(ckpt->toFloat32(ckpt->at("bf16")), (std::vector<float>{1.5f, -3, 0.25f, 100}));

    const auto &q8 = ckpt->at("q8");
    QCOMPARE(q8.shape, (std::vector<int64_t>{2, 32}));
    QCOMPARE(dtypeName(q8.dtype), std::string_view("Q8_0"));
    QCOMPARE(ckpt->bytes(q8).size(), size_t(68));
    std::vector<float> expected;
    for (int i = 0; i < 32; ++i)
        expected.push_back(0.5f * static_cast<float>(i - 16));
    for (int i = 0; i < 32; ++i)
        expected.push_back(-0.25f * (i % 2 ? 127.0f : -128.0f));
    QCOMPARE(ckpt->toFloat32(q8), expected);

    const auto &q4t = ckpt->at("q4");
    QCOMPARE(q4t.shape, (std::vector<int64_t>{32}));
    QCOMPARE(dtypeName(q4t.dtype), std::string_view("Q4_0"));
    expected.assign(32, 0.0f);
    for (int j = 0; j < 16; ++j) {
        expected[j] = 2.0f * static_cast<float>(j - 8);
        expected[j + 16] = 2.0f * static_cast<float>(15 - j - 8);
    }
    QCOMPARE(ckpt->toFloat32(q4t), expected);

    QCOMPARE(ckpt->at("i32").dtype, DType::I32);
    QCOMPARE(ckpt->toFloat32(ckpt->at("i32")), (std::vector<float>{-7, 0, 123456}));

    QCOMPARE(ckpt->parameterCount(), uint64_t(6 + 4 + 4 + 64 + 32 + 3));
    QCOMPARE(ckpt->parametersByDType().at("Q8_0"), uint64_t(64));
}

void TestGguf::readsVersion2()
{
    auto w = smallFile();
    w.version = 2;
    const auto ckpt = read(w.bytes());
    QCOMPARE(ckpt->at("a").shape, (std::vector<int64_t>{3, 2}));
    QCOMPARE(ckpt->toFloat32(ckpt->at("b")), (std::vector<float>{1, 2, -2, 0}));
    QCOMPARE(ckpt->metadata().at("tokens"), std::string("[\"a\", \"bc\"]"));
}

void TestGguf::refusesVersion1()
{
    auto w = smallFile();
    w.version = 1;
    expectFailure(w.bytes(), "GGUF version 1 is not supported (2 and 3 are)");
    w.version = 0x03000000;
    expectFailure(w.bytes(), "big-endian");
}

void TestGguf::listsUnconvertibleQuantTypes()
{
    GgufWriter w;
    w.tensors.push_back({"k", {256, 2}, Q4_K, QByteArray(2 * 144, '\x11'), {}, {}});
    const auto ckpt = read(w.bytes());
    const auto &t = ckpt->at("k");
    QCOMPARE(dtypeName(t.dtype), std::string_view("Q4_K"));
    QCOMPARE(t.shape, (std::vector<int64_t>{2, 256}));
    QCOMPARE(ckpt->bytes(t).size(), size_t(288));
    try {
        ckpt->toFloat32(t);
        QFAIL("Q4_K converted to float32");
    } catch (const FileError &e) {
        QVERIFY2(std::string(e.what()).find("not supported") != std::string::npos, e.what());
    }
}

void TestGguf::honoursCustomAlignment()
{
    GgufWriter w;
    w.alignment = 64;
    w.kv("general.alignment", UINT32, le<uint32_t>(64));
    w.kv("general.name", STRING, str("x"));
    w.tensors.push_back({"a", {3}, F32, floats({1, 2, 3}), {}, {}});
    w.tensors.push_back({"b", {2}, F32, floats({4, 5}), {}, {}});
    const QByteArray bytes = w.bytes();
    // The tensor infos end at byte 156: aligned to 32 the data would start at 160, which
    // holds padding, so only the announced alignment reads the right values.
    QCOMPARE(bytes.indexOf(floats({1, 2, 3})), qsizetype(192));
    const auto ckpt = read(bytes);
    QCOMPARE(ckpt->metadata().at("general.alignment"), std::string("64"));
    QCOMPARE(ckpt->toFloat32(ckpt->at("a")), (std::vector<float>{1, 2, 3}));
    QCOMPARE(ckpt->toFloat32(ckpt->at("b")), (std::vector<float>{4, 5}));
    QCOMPARE(ckpt->bytes(ckpt->at("b")).data() - ckpt->bytes(ckpt->at("a")).data(), std::ptrdiff_t(64));
}

void TestGguf::refusesBadAlignment()
{
    for (uint32_t bad : {0u, 48u}) {
        GgufWriter w;
        w.kv("general.alignment", UINT32, le(bad));
        expectFailure(w.bytes(), "not a power of two");
    }
    GgufWriter w;
    w.kv("general.alignment", UINT64, le<uint64_t>(64));
    expectFailure(w.bytes(), "not a UINT32");
}

void TestGguf::summarisesLongArrays()
{
    GgufWriter w;
    QByteArray tokens, ids;
    for (int i = 0; i < 32000; ++i)
        tokens += str(QByteArray::number(i));
    for (int i = 0; i < 17; ++i)
        ids += le<int32_t>(i);
    w.kv("tokenizer.ggml.tokens", ARRAY, array(STRING, 32000, tokens));
    w.kv("ids", ARRAY, array(INT32, 17, ids));
    w.kv("sixteen", ARRAY, array(INT32, 16, ids.left(64)));
    w.kv("after", STRING, str("still read"));
    const auto ckpt = read(w.bytes());
    const auto &meta = ckpt->metadata();
    QCOMPARE(meta.at("tokenizer.ggml.tokens"), std::string("[array of 32000 STRING]"));
    QCOMPARE(meta.at("ids"), std::string("[array of 17 INT32]"));
    QCOMPARE(meta.at("sixteen"), std::string("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]"));
    QCOMPARE(meta.at("after"), std::string("still read"));
}

void TestGguf::everyTruncationIsAFileError()
{
    const QByteArray whole = smallFile().bytes();
    QVERIFY(read(whole));
    for (qsizetype n = 0; n < whole.size(); ++n)
        QVERIFY2(failure(whole.left(n)), qPrintable(QStringLiteral("prefix of %1 bytes read").arg(n)));
}

void TestGguf::corruptBytesNeverCrash()
{
    // Each byte set to a few hostile values: the file may still read, but nothing may
    // crash, and converting whatever it lists must stay inside the mapping.
    const QByteArray whole = smallFile().bytes();
    for (qsizetype i = 0; i < whole.size(); ++i) {
        for (const char value : {'\x00', '\x01', '\x7f', '\x80', '\xff'}) {
            QByteArray bytes = whole;
            bytes[i] = value;
            try {
                const auto ckpt = read(bytes);
                for (const auto &t : ckpt->tensors())
                    if (dtypeInfo(t.dtype).toFloat32)
                        QCOMPARE(ckpt->toFloat32(t).size(), size_t(t.elements()));
            } catch (const FileError &) {
            }
        }
    }
}

void TestGguf::refusesAbsurdCounts()
{
    auto w = smallFile();
    w.tensorCount = uint64_t(1) << 60;
    expectFailure(w.bytes(), "absurd tensor count");
    w = smallFile();
    w.kvCount = uint64_t(1) << 60;
    expectFailure(w.bytes(), "absurd metadata count");
    // Plausible for the whole file, impossible once the metadata has been read.
    w = smallFile();
    w.tensorCount = 8;
    expectFailure(w.bytes(), "absurd tensor count");

    w = GgufWriter{};
    w.kv("ids", ARRAY, array(UINT64, uint64_t(1) << 61, le<uint64_t>(1)));
    expectFailure(w.bytes(), "cannot fit");
}

void TestGguf::refusesStringsLongerThanTheFile()
{
    GgufWriter w;
    w.kvs = le<uint64_t>(1000) + "general.name";
    w.kvsWritten = 1;
    expectFailure(w.bytes(), "metadata key length 1000 runs past the end of the file");

    w = GgufWriter{};
    w.kv("general.name", STRING, le<uint64_t>(uint64_t(1) << 40) + "x");
    expectFailure(w.bytes(), "runs past the end of the file");

    w = smallFile();
    w.tensors[0].name = QByteArray(4000, 'n'); // its length is fine, but the bytes get cut
    expectFailure(w.bytes().left(300), "tensor name length 4000 runs past the end of the file");
}

void TestGguf::refusesOverlongNames()
{
    GgufWriter w;
    w.kv(QByteArray(70000, 'k'), UINT8, le<uint8_t>(1));
    expectFailure(w.bytes(), "metadata key is 70000 bytes long");
}

void TestGguf::refusesAbsurdDimensions()
{
    auto w = smallFile();
    w.tensors[0].nDims = 0xFFFFFFFF;
    expectFailure(w.bytes(), "4294967295 dimensions");
    w.tensors[0].nDims = 9;
    expectFailure(w.bytes(), "9 dimensions");
}

void TestGguf::refusesOverflowingDimensions()
{
    auto w = smallFile();
    w.tensors[0].dims = {uint64_t(1) << 32, uint64_t(1) << 32, uint64_t(1) << 32};
    expectFailure(w.bytes(), "overflows");
    w.tensors[0].dims = {uint64_t(1) << 62}; // elements fit, bytes do not
    expectFailure(w.bytes(), "overflows");
    w.tensors[0].dims = {uint64_t(1) << 63};
    expectFailure(w.bytes(), "out of range");
    w.tensors[0].dims = {uint64_t(1) << 40};
    expectFailure(w.bytes(), "runs past the end of the file");
}

void TestGguf::refusesPartialQuantBlocks()
{
    GgufWriter w;
    w.tensors.push_back({"q", {16, 2}, Q8_0, QByteArray(34, '\0'), {}, {}});
    expectFailure(w.bytes(), "innermost dimension 16 is not a multiple of the Q8_0 block of 32");
}

void TestGguf::refusesUnknownTypes()
{
    for (uint32_t id : {4u, 5u, 31u, 36u, 1000u}) {
        auto w = smallFile();
        w.tensors[1].type = id;
        expectFailure(w.bytes(), qPrintable(QStringLiteral("tensor 'b': unknown ggml type id %1").arg(id)));
    }
    GgufWriter w;
    w.kv("odd", 13, le<uint32_t>(0));
    expectFailure(w.bytes(), "unknown metadata value type 13");
}

void TestGguf::refusesDeepArrays()
{
    QByteArray value = array(UINT8, 1, "\x07");
    for (int depth = 1; depth <= 4; ++depth) {
        GgufWriter w;
        w.kv("deep", ARRAY, value);
        QCOMPARE(read(w.bytes())->metadata().at("deep"),
                 QString("[").repeated(depth - 1).toStdString() + "[7]" + QString("]").repeated(depth - 1).toStdString());
        value = array(ARRAY, 1, value);
    }
    GgufWriter w;
    w.kv("deep", ARRAY, value);
    expectFailure(w.bytes(), "nest deeper than 4");
}

void TestGguf::refusesDuplicateKeys()
{
    GgufWriter w;
    w.kv("general.name", STRING, str("a"));
    w.kv("general.name", STRING, str("b"));
    expectFailure(w.bytes(), "'general.name' appears twice");

    auto t = smallFile();
    t.tensors[1].name = "a";
    expectFailure(t.bytes(), "'a' appears twice");
}

void TestGguf::refusesOffsetPastTheEnd()
{
    auto w = smallFile();
    w.tensors[1].offset = 1 << 20;
    expectFailure(w.bytes(), "tensor 'b' (8 bytes at data offset 1048576) runs past the end of the file");
}

void TestGguf::refusesMisalignedOffset()
{
    auto w = smallFile();
    w.tensors[1].offset = 4;
    expectFailure(w.bytes(), "offset 4 is not a multiple of the alignment 32");
}

void TestGguf::refusesOverlappingTensors()
{
    auto w = smallFile();
    w.tensors[0].dims = {16};
    w.tensors[0].data = QByteArray(64, '\0');
    w.tensors[1].offset = 32;
    expectFailure(w.bytes(), "tensors 'a' and 'b' overlap");

    // Empty tensors take no bytes, so they may sit anywhere.
    w = smallFile();
    w.tensors.push_back({"empty", {0, 4}, F32, {}, 0, {}});
    const auto ckpt = read(w.bytes());
    QCOMPARE(ckpt->at("empty").shape, (std::vector<int64_t>{4, 0}));
    QCOMPARE(ckpt->toFloat32(ckpt->at("empty")).size(), size_t(0));
}

void TestGguf::claimsOnlyTheMagic()
{
    const auto claims = [](const QByteArray &head) {
        return claimsGguf(std::as_bytes(std::span(head.constData(), static_cast<size_t>(head.size()))),
                          static_cast<uint64_t>(head.size()));
    };
    QVERIFY(claims(smallFile().bytes()));
    QVERIFY(claims("GGUF"));
    QVERIFY(!claims("GGU"));
    QVERIFY(!claims("GGUG\x03\0\0\0"));
    QVERIFY(!claims("ggml"));
    QVERIFY(!claims({}));

    auto w = smallFile();
    QByteArray bytes = w.bytes();
    bytes[3] = 'X';
    expectFailure(bytes, "no GGUF magic");
}

void TestGguf::openCheckpointDetectsByMagic()
{
    const QString path = write(smallFile().bytes(), QStringLiteral("pytorch_model.bin"));
    const auto ckpt = openCheckpoint(path.toStdString());
    QCOMPARE(ckpt->format(), std::string("gguf"));
    QCOMPARE(ckpt->at("a").shape, (std::vector<int64_t>{3, 2}));
    QCOMPARE(ckpt->metadata().at("general.architecture"), std::string("llama"));
}

QTEST_APPLESS_MAIN(TestGguf)
#include "test_gguf.moc"
