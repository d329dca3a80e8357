// PyTorch zip checkpoints: a real torch.save file against its safetensors conversion, and
// hand-built archives (pickle bytes written opcode by opcode, zips written with minizip)
// for the layouts and the hostile inputs torch itself never produces.

#include "io/error.h"
#include "io/formats.h"
#include "io/pytorch_zip.h"
#include "io/safetensors.h"
#include "test_files.h"

#include <QSet>
#include <QTemporaryDir>

#include <cstring>
#include <vector>
#include <zip.h>

using namespace sculpt;
using sculpt::test::append;

namespace {

struct TensorSpec {
    QByteArray name;
    QByteArray storageType; // torch.<storageType>
    QByteArray key;
    int64_t numel;
    int64_t offset;
    std::vector<int64_t> shape;
    std::vector<int64_t> stride;
};

std::vector<int64_t> rowMajor(const std::vector<int64_t> &shape)
{
    std::vector<int64_t> stride(shape.size(), 1);
    for (size_t i = shape.size(); i-- > 1;)
        stride[i - 1] = stride[i] * shape[i];
    return stride;
}

TensorSpec f32(const QByteArray &name, const QByteArray &key, int64_t numel, int64_t offset,
               std::vector<int64_t> shape)
{
    auto stride = rowMajor(shape);
    return {name, "FloatStorage", key, numel, offset, std::move(shape), std::move(stride)};
}

// Emits pickle opcodes laid out the way torch.save's protocol-2 pickler writes them.
class PickleWriter {
public:
    PickleWriter() { out_.append("\x80\x02", 2); }

    PickleWriter &op(char c)
    {
        out_.append(c);
        return *this;
    }
    PickleWriter &global(const char *module, const char *name)
    {
        out_.append('c').append(module).append('\n').append(name).append('\n');
        return *this;
    }
    PickleWriter &str(const QByteArray &s)
    {
        out_.append('X');
        append<uint32_t>(out_, static_cast<uint32_t>(s.size()));
        out_.append(s);
        return *this;
    }
    PickleWriter &integer(int64_t v)
    {
        if (v >= 0 && v < 256) {
            out_.append('K').append(static_cast<char>(v));
        } else if (v >= 0 && v < 65536) {
            out_.append('M');
            append<uint16_t>(out_, static_cast<uint16_t>(v));
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            out_.append('J');
            append<int32_t>(out_, static_cast<int32_t>(v));
        } else {
            out_.append("\x8a\x08", 2);
            append<int64_t>(out_, v);
        }
        return *this;
    }
    PickleWriter &ints(const std::vector<int64_t> &values)
    {
        op('(');
        for (int64_t v : values)
            integer(v);
        return op('t');
    }
    PickleWriter &emptyOrderedDict() { return global("collections", "OrderedDict").op(')').op('R'); }

    PickleWriter &tensor(const TensorSpec &t)
    {
        global("torch._utils", "_rebuild_tensor_v2").op('(');
        op('(').str("storage").global("torch", t.storageType.constData()).str(t.key).str("cpu").integer(t.numel);
        op('t').op('Q');
        integer(t.offset).ints(t.shape).ints(t.stride).op('\x89').emptyOrderedDict();
        return op('t').op('R');
    }

    // An OrderedDict name -> tensor with the `_metadata` state torch attaches.
    PickleWriter &stateDict(const std::vector<TensorSpec> &tensors)
    {
        emptyOrderedDict().op('(');
        for (const auto &t : tensors)
            str(t.name).tensor(t);
        op('u');
        return op('}').str("_metadata").op('}').op('s').op('b');
    }

    QByteArray finish() const { return out_ + '.'; }

private:
    QByteArray out_;
};

struct Entry {
    QByteArray name;
    QByteArray data;
    bool deflate = false;
};

void writeZip(const QString &path, const std::vector<Entry> &entries)
{
    zipFile zip = zipOpen64(QFile::encodeName(path).constData(), APPEND_STATUS_CREATE);
    QVERIFY(zip);
    for (const auto &e : entries) {
        zip_fileinfo info{};
        QCOMPARE(zipOpenNewFileInZip64(zip, e.name.constData(), &info, nullptr, 0, nullptr, 0, nullptr,
                                       e.deflate ? Z_DEFLATED : 0, e.deflate ? Z_DEFAULT_COMPRESSION : 0, 0),
                 ZIP_OK);
        QCOMPARE(zipWriteInFileInZip(zip, e.data.constData(), static_cast<unsigned>(e.data.size())), ZIP_OK);
        QCOMPARE(zipCloseFileInZip(zip), ZIP_OK);
    }
    QCOMPARE(zipClose(zip, nullptr), ZIP_OK);
}

// The entries torch.save writes: data.pkl, byteorder, one entry per storage, version.
std::vector<Entry> archive(const QByteArray &pickle, const std::vector<std::pair<QByteArray, QByteArray>> &storages,
                           const QByteArray &prefix = "archive")
{
    std::vector<Entry> entries{{prefix + "/data.pkl", pickle}, {prefix + "/byteorder", "little"}};
    for (const auto &[key, data] : storages)
        entries.push_back({prefix + "/data/" + key, data});
    entries.push_back({prefix + "/version", "3\n"});
    return entries;
}

template <typename T> QByteArray bytesOf(const std::vector<T> &values)
{
    return QByteArray(reinterpret_cast<const char *>(values.data()), static_cast<qsizetype>(values.size() * sizeof(T)));
}

std::vector<float> iota(int n)
{
    std::vector<float> v(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        v[static_cast<size_t>(i)] = static_cast<float>(i);
    return v;
}

// The reader's one-line reason, or a note saying it did not fail as it should.
QString failureOf(const QString &path)
{
    try {
        readPytorchZip(path.toStdString());
    } catch (const FileError &e) {
        return QString::fromStdString(e.reason());
    } catch (const std::exception &e) {
        return QStringLiteral("WRONG EXCEPTION TYPE: ") + e.what();
    }
    return QStringLiteral("NO ERROR");
}

std::vector<std::byte> rawBytes(const Checkpoint &c, const TensorInfo &t)
{
    const auto span = c.bytes(t);
    return {span.begin(), span.end()};
}

std::vector<int64_t> shapeOf(std::initializer_list<int64_t> dims) { return dims; }

// A literal's bytes, NULs included.
template <size_t N> QByteArray raw(const char (&literal)[N]) { return QByteArray(literal, N - 1); }

} // namespace

class TestPytorchZip : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QString path(const QString &name) const { return dir_.filePath(name); }

    // A small valid checkpoint: three F32 tensors over two storages.
    QByteArray validPickle() const
    {
        return PickleWriter()
            .stateDict({f32("a.weight", "0", 6, 0, {2, 3}), f32("a.bias", "1", 4, 1, {3}),
                        f32("b", "0", 6, 2, {2, 2})})
            .finish();
    }
    std::vector<std::pair<QByteArray, QByteArray>> validStorages() const
    {
        return {{"0", bytesOf(iota(6))}, {"1", bytesOf(iota(4))}};
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void realFileMatchesSafetensors()
    {
        SCULPT_REQUIRE_SHARED(pth, "vit_mnist_tiny/vit_mnist.pth");
        SCULPT_REQUIRE_SHARED(st, "vit_mnist_tiny/vit_mnist.safetensors");
        const auto torch = readPytorchZip(pth.toStdString());
        const auto reference = readSafetensors(st.toStdString());
        QCOMPARE(torch->format(), std::string("pytorch"));

        QSet<QString> torchNames, referenceNames;
        for (const auto &t : torch->tensors())
            torchNames.insert(QString::fromStdString(t.name));
        for (const auto &t : reference->tensors())
            referenceNames.insert(QString::fromStdString(t.name));
        QCOMPARE(torchNames, referenceNames);
        QCOMPARE(torch->parameterCount(), uint64_t{213642});

        for (const auto &t : torch->tensors()) {
            const auto &r = reference->at(t.name);
            QCOMPARE(t.shape, r.shape);
            QCOMPARE(t.dtype, r.dtype);
            const auto a = torch->toFloat32(t), b = reference->toFloat32(r);
            QCOMPARE(a.size(), b.size());
            QVERIFY2(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0, t.name.c_str());
            if (t.contiguous())
                QVERIFY2(rawBytes(*torch, t) == rawBytes(*reference, r), t.name.c_str());
        }
    }

    // Each tensor's bytes must be the file's own bytes, at their offset in one mapping of the zip.
    void realFileStoragesAreMapped()
    {
        SCULPT_REQUIRE_SHARED(pth, "vit_mnist_tiny/vit_mnist.pth");
        QFile f(pth);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray file = f.readAll();
        const auto torch = readPytorchZip(pth.toStdString());

        const std::byte *base = nullptr;
        int checked = 0;
        for (const auto &t : torch->tensors()) {
            const auto span = torch->bytes(t);
            const QByteArray content(reinterpret_cast<const char *>(span.data()), static_cast<qsizetype>(span.size()));
            const auto at = file.indexOf(content);
            if (at < 0 || file.lastIndexOf(content) != at)
                continue; // repeated content (all-ones norms) has no single place in the file
            if (!base)
                base = span.data() - at;
            QCOMPARE(span.data(), base + at);
            QVERIFY(span.data() + span.size() <= base + file.size());
            ++checked;
        }
        QVERIFY2(checked > 40, qPrintable(QString::number(checked)));
    }

    void handBuiltStateDict()
    {
        const std::vector<uint16_t> halves = {0x3C00, 0xC000, 0x3800, 0x7BFF}; // 1, -2, 0.5, 65504
        const std::vector<int64_t> longs = {-5, 0, int64_t{1} << 40};
        const QByteArray pickle =
            PickleWriter()
                .stateDict({f32("layer.weight", "0", 6, 0, {2, 3}),
                            {"layer.scale", "HalfStorage", "1", 4, 0, {4}, {1}},
                            {"steps", "LongStorage", "2", 3, 0, {3}, {1}}})
                .finish();
        const QString file = path("state.pth");
        writeZip(file, archive(pickle, {{"0", bytesOf(iota(6))}, {"1", bytesOf(halves)}, {"2", bytesOf(longs)}},
                               "state"));
        const auto c = readPytorchZip(file.toStdString());

        QCOMPARE(c->tensors().size(), size_t{3});
        QCOMPARE(c->tensors()[0].name, std::string("layer.weight"));
        const auto &w = c->at("layer.weight");
        QCOMPARE(w.dtype, DType::F32);
        QCOMPARE(w.shape, shapeOf({2, 3}));
        QVERIFY(w.strides.empty());
        QCOMPARE(c->toFloat32(w), iota(6));
        const auto &s = c->at("layer.scale");
        QCOMPARE(s.dtype, DType::F16);
        QCOMPARE(c->toFloat32(s), (std::vector<float>{1.0f, -2.0f, 0.5f, 65504.0f}));
        const auto &l = c->at("steps");
        QCOMPARE(l.dtype, DType::I64);
        const auto lb = c->bytes(l);
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(lb.data()), static_cast<qsizetype>(lb.size())),
                 bytesOf(longs));
        QCOMPARE(c->parameterCount(), uint64_t{13});
    }

    void transposedView()
    {
        // A [2,3] storage saved as its transpose: shape [3,2], strides [1,3].
        const QByteArray pickle =
            PickleWriter().stateDict({{"t", "FloatStorage", "0", 6, 0, {3, 2}, {1, 3}}}).finish();
        const QString file = path("transposed.pth");
        writeZip(file, archive(pickle, {{"0", bytesOf(iota(6))}}));
        const auto c = readPytorchZip(file.toStdString());
        const auto &t = c->at("t");
        QCOMPARE(t.shape, shapeOf({3, 2}));
        QCOMPARE(t.strides, shapeOf({1, 3}));
        QVERIFY(!t.contiguous());
        QCOMPARE(c->toFloat32(t), (std::vector<float>{0, 3, 1, 4, 2, 5}));
        QCOMPARE(c->bytes(t).size(), size_t{24});
    }

    void broadcastViewIsListedButNotExpanded()
    {
        // torch.expand saves stride 0: a [10^9, 2] view of two floats must not make
        // toFloat32 allocate 8 GB.
        const QByteArray pickle =
            PickleWriter().stateDict({{"b", "FloatStorage", "0", 2, 0, {1000000000, 2}, {0, 1}}}).finish();
        const QString file = path("broadcast.pth");
        writeZip(file, archive(pickle, {{"0", bytesOf(iota(2))}}));
        const auto c = readPytorchZip(file.toStdString());
        QCOMPARE(c->at("b").shape, shapeOf({1000000000, 2}));
        QVERIFY_THROWS_EXCEPTION(FileError, c->toFloat32(c->at("b")));
    }

    void sharedStorage()
    {
        const QByteArray pickle =
            PickleWriter()
                .stateDict({f32("first", "0", 10, 0, {4}), f32("second", "0", 10, 6, {2, 2})})
                .finish();
        const QString file = path("shared.pth");
        writeZip(file, archive(pickle, {{"0", bytesOf(iota(10))}}));
        const auto c = readPytorchZip(file.toStdString());
        const auto &a = c->at("first"), &b = c->at("second");
        QCOMPARE(c->toFloat32(a), (std::vector<float>{0, 1, 2, 3}));
        QCOMPARE(c->toFloat32(b), (std::vector<float>{6, 7, 8, 9}));
        QCOMPARE(c->bytes(b).data() - c->bytes(a).data(), ptrdiff_t{24});
        QVERIFY(a.tiedTo.empty() && b.tiedTo.empty());
    }

    // Tied weights: two names for the very same view are listed once in the totals.
    void tiedAliases()
    {
        const QByteArray pickle =
            PickleWriter().stateDict({f32("embed.weight", "0", 6, 0, {3, 2}), f32("head.weight", "0", 6, 0, {3, 2})})
                .finish();
        const QString file = path("tied.pth");
        writeZip(file, archive(pickle, {{"0", bytesOf(iota(6))}}));
        const auto c = readPytorchZip(file.toStdString());
        QCOMPARE(c->at("head.weight").tiedTo, std::string("embed.weight"));
        QVERIFY(c->at("embed.weight").tiedTo.empty());
        QCOMPARE(c->parameterCount(), uint64_t{6});
    }

    void trainingCheckpointUsesStateDict()
    {
        PickleWriter w;
        w.op('}').op('(').str("state_dict").stateDict({f32("w", "0", 4, 0, {4})});
        w.str("epoch").integer(3).op('u');
        const QString file = path("training.pth");
        writeZip(file, archive(w.finish(), {{"0", bytesOf(iota(4))}}));
        const auto c = readPytorchZip(file.toStdString());
        QCOMPARE(c->tensors().size(), size_t{1});
        QCOMPARE(c->tensors()[0].name, std::string("w"));
    }

    void nestedDictsGetDottedNames()
    {
        PickleWriter w;
        w.op('}').op('(').str("encoder").op('}').str("w").tensor(f32("", "0", 4, 0, {2})).op('s');
        w.str("decoder").op('}').str("w").tensor(f32("", "0", 4, 2, {2})).op('s');
        w.str("step").integer(70000).str("lr").str("0.1").op('u');
        const QString file = path("nested.pth");
        writeZip(file, archive(w.finish(), {{"0", bytesOf(iota(4))}}));
        const auto c = readPytorchZip(file.toStdString());
        QCOMPARE(c->tensors().size(), size_t{2});
        QCOMPARE(c->toFloat32(c->at("encoder.w")), (std::vector<float>{0, 1}));
        QCOMPARE(c->toFloat32(c->at("decoder.w")), (std::vector<float>{2, 3}));
    }

    void detectedByContent()
    {
        const QString file = path("actually_torch.safetensors");
        writeZip(file, archive(validPickle(), validStorages(), "actually_torch"));
        const auto c = openCheckpoint(file.toStdString());
        QCOMPARE(c->format(), std::string("pytorch"));
        QCOMPARE(c->tensors().size(), size_t{3});
    }

    void osSystemNeverRuns()
    {
        const QString marker = path("pwned");
        const QByteArray pickle = PickleWriter()
                                      .global("os", "system")
                                      .str("touch " + QFile::encodeName(marker))
                                      .op('\x85')
                                      .op('R')
                                      .finish();
        const QString file = path("os_system.pth");
        writeZip(file, archive(pickle, {}));
        const QString reason = failureOf(file);
        QVERIFY2(reason.contains("forbidden global os.system"), qPrintable(reason));
        QVERIFY(!QFile::exists(marker));
    }

    void badPickle_data()
    {
        QTest::addColumn<QByteArray>("pickle");
        QTest::addColumn<QString>("reason");
        const auto call = [](const char *module, const char *name) {
            return PickleWriter().global(module, name).str("1+1").op('\x85').op('R').finish();
        };
        QTest::newRow("builtins.eval") << call("builtins", "eval") << "forbidden global builtins.eval";
        QTest::newRow("posix.system") << call("posix", "system") << "forbidden global posix.system";
        QTest::newRow("torch.load") << call("torch", "load") << "forbidden global torch.load";
        // Protocol 4 as Python writes it: a frame, memoized strings, STACK_GLOBAL.
        const QByteArray body = raw("\x8c\x0asubprocess\x94\x8c\x05Popen\x94\x93\x8c\x02ls\x85R.");
        QByteArray popen = raw("\x80\x04\x95");
        append<uint64_t>(popen, static_cast<uint64_t>(body.size()));
        QTest::newRow("subprocess.Popen") << popen + body << "forbidden global subprocess.Popen";

        QTest::newRow("storage over-claims")
            << PickleWriter().stateDict({f32("w", "0", 100, 0, {100})}).finish()
            << "storage 0 holds 16 bytes but the pickle claims 100";
        QTest::newRow("extent past storage")
            << PickleWriter().stateDict({f32("w", "0", 4, 2, {3})}).finish() << "reaches element 2 + 3";
        QTest::newRow("strides past storage")
            << PickleWriter().stateDict({{"w", "FloatStorage", "0", 4, 0, {2, 2}, {3, 1}}}).finish()
            << "reaches element 0 + 5";
        QTest::newRow("size and stride lengths")
            << PickleWriter().stateDict({{"w", "FloatStorage", "0", 4, 0, {2, 2}, {1}}}).finish()
            << "different lengths";
        QTest::newRow("negative size")
            << PickleWriter().stateDict({{"w", "FloatStorage", "0", 4, 0, {-1}, {1}}}).finish()
            << "non-negative";
        QTest::newRow("size overflow")
            << PickleWriter()
                   .stateDict({{"w", "FloatStorage", "0", 4, 0, {int64_t{1} << 40, int64_t{1} << 40}, {0, 0}}})
                   .finish()
            << "size overflows";
        QTest::newRow("missing storage entry")
            << PickleWriter().stateDict({f32("w", "7", 4, 0, {4})}).finish() << "storage 7 has no zip entry";
        QTest::newRow("storage described twice")
            << PickleWriter()
                   .stateDict({f32("w", "0", 4, 0, {4}), {"v", "HalfStorage", "0", 8, 0, {8}, {1}}})
                   .finish()
            << "described twice";

        QTest::newRow("memo get unknown") << raw("\x80\x02h\x05.") << "memo entry 5, which was never stored";
        QTest::newRow("long memo get unknown") << raw("\x80\x02}q\x00j\x00\x01\x00\x00.")
                                               << "memo entry 256";
        QTest::newRow("unknown opcode") << raw("\x80\x02\x81.") << "unsupported pickle opcode 0x81";
        QTest::newRow("stack underflow") << raw("\x80\x02" "a.") << "stack underflow";
        QTest::newRow("tuple without mark") << raw("\x80\x02K\x01t.") << "MARK it never set";
        QTest::newRow("underflow below mark") << raw("\x80\x02]K\x01(a.") << "stack underflow";
        QTest::newRow("append to dict") << raw("\x80\x02}K\x01" "a.") << "APPEND applied to something";
        QTest::newRow("odd setitems") << raw("\x80\x02}(K\x01u.") << "key but no value";
        QTest::newRow("reduce on a list") << raw("\x80\x02])R.") << "not a global";
        QTest::newRow("storage class called")
            << PickleWriter().global("torch", "FloatStorage").op(')').op('R').finish() << "cannot be called";
        QTest::newRow("OrderedDict with arguments")
            << PickleWriter().global("collections", "OrderedDict").op(']').op('\x85').op('R').finish()
            << "OrderedDict called with arguments";
        QTest::newRow("rebuild with too few arguments")
            << PickleWriter().global("torch._utils", "_rebuild_tensor_v2").op(')').op('R').finish()
            << "takes 6 or 7 arguments";
        QTest::newRow("build on a list") << raw("\x80\x02]}b.") << "BUILD applied";
        QTest::newRow("bad persistent id") << raw("\x80\x02K\x01Q.") << "persistent id";
        QTest::newRow("huge string") << raw("\x80\x02X\xff\xff\xff\x7f") << "truncated";
        QTest::newRow("huge unicode8") << raw("\x80\x02\x8d\xff\xff\xff\xff\xff\xff\xff\xff") << "truncated";
        QTest::newRow("huge frame") << raw("\x80\x04\x95\xff\xff\xff\xff\x00\x00\x00\x00}.")
                                    << "frame of";
        QTest::newRow("wide integer") << raw("\x80\x02\x8a\x09") << "does not fit in 64 bits";
        QTest::newRow("no stop") << raw("\x80\x02}") << "without STOP";
        QTest::newRow("no tensors") << raw("\x80\x02}.") << "holds no tensors";
        QTest::newRow("self-containing dict") << raw("\x80\x02}q\x00X\x01\x00\x00\x00" "ah\x00s.")
                                              << "holds no tensors";
        QByteArray deep = raw("\x80\x02");
        for (int i = 0; i < 100; ++i)
            deep += raw("}X\x01\x00\x00\x00k");
        deep += '}';
        for (int i = 0; i < 100; ++i)
            deep += 's';
        QTest::newRow("dicts nested 100 deep") << deep + "." << "nested more than 64";
    }

    void badPickle()
    {
        QFETCH(QByteArray, pickle);
        QFETCH(QString, reason);
        const QString file = path("bad.pth");
        writeZip(file, archive(pickle, {{"0", bytesOf(iota(4))}}));
        const QString actual = failureOf(file);
        QVERIFY2(actual.contains(reason), qPrintable(actual));
    }

    void everyTruncatedPickleFails()
    {
        const QByteArray pickle = validPickle();
        const QString file = path("truncated_pickle.pth");
        for (qsizetype n = 0; n < pickle.size(); ++n) {
            writeZip(file, archive(pickle.left(n), validStorages()));
            const QString reason = failureOf(file);
            QVERIFY2(!reason.startsWith("NO ERROR") && !reason.startsWith("WRONG"),
                     qPrintable(QString::number(n) + ": " + reason));
        }
        writeZip(file, archive(pickle, validStorages()));
        QCOMPARE(readPytorchZip(file.toStdString())->tensors().size(), size_t{3});
    }

    // Every single-byte corruption of the pickle either reads or fails with a FileError.
    void corruptedPickleNeverCrashes()
    {
        const QByteArray pickle = validPickle();
        const QString file = path("corrupt_pickle.pth");
        for (qsizetype i = 0; i < pickle.size(); ++i) {
            for (const char mask : {'\x01', '\x80', '\xff'}) {
                QByteArray bad = pickle;
                bad[i] = static_cast<char>(bad[i] ^ mask);
                writeZip(file, archive(bad, validStorages()));
                try {
                    const auto c = readPytorchZip(file.toStdString());
                    for (const auto &t : c->tensors())
                        c->toFloat32(t);
                } catch (const FileError &) {
                } catch (const std::exception &e) {
                    QFAIL(qPrintable(QString("byte %1: %2").arg(i).arg(e.what())));
                }
            }
        }
    }

    void zipWithoutDataPkl()
    {
        const QString file = path("plain.zip");
        writeZip(file, {{"notes/readme.txt", "hello"}, {"data.pkl", validPickle()}});
        QCOMPARE(failureOf(file), QString("zip holds no data.pkl: not a PyTorch checkpoint"));
    }

    void twoDataPkls()
    {
        auto entries = archive(validPickle(), validStorages(), "one");
        entries.push_back({"two/data.pkl", validPickle()});
        const QString file = path("two.pth");
        writeZip(file, entries);
        QVERIFY(failureOf(file).contains("2 data.pkl files"));
    }

    void torchScriptRefused()
    {
        auto entries = archive(validPickle(), validStorages());
        entries.push_back({"archive/constants.pkl", "\x80\x02)."});
        const QString file = path("scripted.pt");
        writeZip(file, entries);
        QVERIFY(failureOf(file).contains("TorchScript"));
    }

    void compressedStorage()
    {
        auto entries = archive(validPickle(), validStorages());
        for (auto &e : entries)
            if (e.name == "archive/data/0")
                e.deflate = true;
        const QString file = path("compressed.pth");
        writeZip(file, entries);
        const QString reason = failureOf(file);
        QVERIFY2(reason.contains("storage 0 is compressed; Sculpt maps storages and needs them stored"),
                 qPrintable(reason));
    }

    void compressedPickleIsFine()
    {
        auto entries = archive(validPickle(), validStorages());
        entries.front().deflate = true;
        const QString file = path("compressed_pickle.pth");
        writeZip(file, entries);
        QCOMPARE(readPytorchZip(file.toStdString())->tensors().size(), size_t{3});
    }

    void bigEndianRefused()
    {
        auto entries = archive(validPickle(), validStorages());
        entries[1].data = "big";
        const QString file = path("big_endian.pth");
        writeZip(file, entries);
        QVERIFY(failureOf(file).contains("not little-endian"));
    }

    void everyTruncatedZipFails()
    {
        const QString whole = path("whole.pth");
        writeZip(whole, archive(validPickle(), validStorages()));
        QFile f(whole);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        const QString file = path("truncated_zip.pth");
        for (qsizetype n = 0; n < bytes.size(); ++n) {
            test::writeFile(file, bytes.left(n));
            const QString reason = failureOf(file);
            QVERIFY2(!reason.startsWith("NO ERROR") && !reason.startsWith("WRONG"),
                     qPrintable(QString("%1 of %2 bytes: %3").arg(n).arg(bytes.size()).arg(reason)));
        }
    }

    void claims()
    {
        const auto claims = [](const QByteArray &head) {
            return claimsPytorchZip(std::as_bytes(std::span(head.constData(), static_cast<size_t>(head.size()))),
                                    static_cast<uint64_t>(head.size()));
        };
        QVERIFY(claims(raw("PK\x03\x04rest")));
        QVERIFY(!claims(raw("PK\x05\x06")));
        QVERIFY(!claims(QByteArray("PK")));
    }
};

QTEST_APPLESS_MAIN(TestPytorchZip)
#include "test_pytorch_zip.moc"
