// An attention head's own slices of its block's weights and their spectra, on real models: the
// bundled fashion-vit (HF's separate query, key and value, 4 layers × 4 heads of 16), the same
// with heads pruned (HF's pruned_heads), and vit_mnist_tiny's fused to_qkv from ../shared. Each
// slice's spectrum is checked against LAPACK's float64 SVD of the rows (or columns) this test
// takes from the stored tensor itself.

#include "analysis/head_spectra.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "reference_svd.h"
#include "runtime/families/vit/vit_config.h"
#include "runtime/families/vit/vit_head_slices.h"
#include "vit_files.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace sculpt;

namespace {

const QString kVit = QStringLiteral(SCULPT_MODELS_DIR "/fashion-vit");
constexpr int64_t kHeadDim = 16, kDim = 64;

// Rows [first, first + count) or columns of a stored [out, in] matrix, taken here directly.
std::vector<float> takeSlice(const Checkpoint &checkpoint, const std::string &tensor, bool columns, int64_t first,
                             int64_t count, int &rows, int &cols)
{
    const TensorInfo &info = checkpoint.at(tensor);
    const std::vector<float> all = checkpoint.toFloat32(info);
    const int64_t out = info.shape[0], in = info.shape[1];
    std::vector<float> slice;
    for (int64_t r = 0; r < out; ++r)
        for (int64_t c = 0; c < in; ++c)
            if (columns ? (c >= first && c < first + count) : (r >= first && r < first + count))
                slice.push_back(all[size_t(r * in + c)]);
    rows = int(columns ? out : count);
    cols = int(columns ? count : in);
    return slice;
}

// The spectrum equals the SVD of the slice taken directly, to 1e-5 of its largest value.
void compareToReference(const Checkpoint &checkpoint, const TensorSpectrum &spectrum, const std::string &tensor,
                        bool columns, int64_t first, int64_t count)
{
    int rows = 0, cols = 0;
    const std::vector<float> slice = takeSlice(checkpoint, tensor, columns, first, count, rows, cols);
    const std::vector<double> expected = referenceSingularValues(slice, rows, cols);
    QCOMPARE(spectrum.rows, int64_t(rows));
    QCOMPARE(spectrum.cols, int64_t(cols));
    QCOMPARE(spectrum.method, std::string("exact"));
    QCOMPARE(spectrum.singularValues.size(), expected.size());
    QVERIFY(expected.front() > 0);
    for (size_t i = 0; i < expected.size(); ++i)
        QVERIFY2(std::abs(spectrum.singularValues[i] - expected[i]) <= 1e-5 * expected.front(),
                 qPrintable(QStringLiteral("%1: σ%2 %3, expected %4")
                                .arg(QString::fromStdString(spectrum.name))
                                .arg(i)
                                .arg(spectrum.singularValues[i])
                                .arg(expected[i])));
    QVERIFY(spectrum.metrics.stableRank >= 1);
}

QString errorOf(const std::function<void()> &run)
{
    try {
        run();
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return QStringLiteral("no error");
}

} // namespace

class TestHeadSpectra : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyHeadOfFashionVit()
    {
        const auto checkpoint = openCheckpoint(kVit.toStdString());
        const VitConfig config = readVitConfig(*checkpoint);
        for (int64_t layer = 0; layer < 4; ++layer)
            for (int64_t head = 0; head < 4; ++head) {
                const std::vector<HeadSlice> slices = vitHeadSlices(*checkpoint, config, layer, head);
                QCOMPARE(slices.size(), size_t(4));
                const std::string block = "vit.encoder.layer." + std::to_string(layer) + ".attention.";
                const std::string rows =
                    std::to_string(head * kHeadDim) + "–" + std::to_string((head + 1) * kHeadDim - 1) + ")";
                const char *tensors[] = {"attention.query.weight", "attention.key.weight", "attention.value.weight",
                                         "output.dense.weight"};
                const std::vector<TensorSpectrum> spectra = headSpectra(*checkpoint, slices);
                QCOMPARE(spectra.size(), size_t(4));
                for (size_t i = 0; i < 4; ++i) {
                    QCOMPARE(slices[i].tensor, block + tensors[i]);
                    const bool columns = i == 3;
                    QCOMPARE(slices[i].columns, columns);
                    QCOMPARE(spectra[i].name, slices[i].tensor + " · head " + std::to_string(head) +
                                                  (columns ? " (columns " : " (rows ") + rows);
                    compareToReference(*checkpoint, spectra[i], slices[i].tensor, columns, head * kHeadDim, kHeadDim);
                }
            }
    }

    void aHeadTheModelLacksIsRefused()
    {
        const auto checkpoint = openCheckpoint(kVit.toStdString());
        const VitConfig config = readVitConfig(*checkpoint);
        QCOMPARE(errorOf([&] { vitHeadSlices(*checkpoint, config, 1, 4); }),
                 QStringLiteral("layer 1 has no head 4 (it has 4)"));
        QCOMPARE(errorOf([&] { vitHeadSlices(*checkpoint, config, 1, -1); }),
                 QStringLiteral("layer 1 has no head -1 (it has 4)"));
        QCOMPARE(errorOf([&] { vitHeadSlices(*checkpoint, config, 4, 0); }),
                 QStringLiteral("the model has no layer 4 (it has 4)"));
        HeadSlice outside = vitHeadSlices(*checkpoint, config, 0, 0)[0];
        outside.first = kDim - 8;
        QVERIFY(errorOf([&] { headSpectra(*checkpoint, {outside}); }).contains("are outside"));
    }

    // Heads 0 and 2 of layer 1 pruned as Hugging Face stores it: their weights' rows and columns
    // gone, config.json's pruned_heads naming them (the biases, which no slice reads, stay whole).
    // Head 1 of that layer is the original head 3.
    void prunedHeadsKeepTheirOwnRows()
    {
        const auto original = openCheckpoint(kVit.toStdString());
        QTemporaryDir dir;
        const QString folder = dir.filePath("pruned");
        std::vector<test::Tensor> tensors;
        for (const TensorInfo &t : original->tensors()) {
            const bool projection = t.name.starts_with("vit.encoder.layer.1.attention.") && t.name.ends_with("weight");
            if (!projection) {
                tensors.push_back({t.name, DType::F32, t.shape, test::floatBytes(original->toFloat32(t))});
                continue;
            }
            const bool columns = t.name.find("output.dense") != std::string::npos;
            std::vector<float> kept;
            for (const int64_t head : {1, 3}) {
                int rows = 0, cols = 0;
                const std::vector<float> part = takeSlice(*original, t.name, columns, head * kHeadDim, kHeadDim, rows, cols);
                kept.insert(kept.end(), part.begin(), part.end());
            }
            if (columns) { // [64, 16] then [64, 16] → [64, 32], row by row
                std::vector<float> joined;
                for (int64_t r = 0; r < kDim; ++r)
                    for (const int64_t part : {0, 1})
                        joined.insert(joined.end(), kept.begin() + part * kDim * kHeadDim + r * kHeadDim,
                                      kept.begin() + part * kDim * kHeadDim + (r + 1) * kHeadDim);
                kept = joined;
            }
            tensors.push_back({t.name, DType::F32, columns ? std::vector{kDim, 2 * kHeadDim} : std::vector{2 * kHeadDim, kDim},
                               test::floatBytes(kept)});
        }
        QFile file(kVit + "/config.json");
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonObject config = QJsonDocument::fromJson(file.readAll()).object();
        config["pruned_heads"] = QJsonObject{{"1", QJsonArray{0, 2}}};
        test::writeHfVit(folder, tensors, QJsonDocument(config).toJson());

        const auto pruned = openCheckpoint(folder.toStdString());
        const VitConfig prunedConfig = readVitConfig(*pruned);
        const std::vector<HeadSlice> slices = vitHeadSlices(*pruned, prunedConfig, 1, 1);
        QCOMPARE(slices[0].name, std::string("vit.encoder.layer.1.attention.attention.query.weight · head 1 "
                                             "(rows 16–31; head 3 before pruning)"));
        QCOMPARE(slices[3].name, std::string("vit.encoder.layer.1.attention.output.dense.weight · head 1 "
                                             "(columns 16–31; head 3 before pruning)"));
        const std::vector<TensorSpectrum> spectra = headSpectra(*pruned, slices);
        const std::vector<TensorSpectrum> before =
            headSpectra(*original, vitHeadSlices(*original, readVitConfig(*original), 1, 3));
        for (size_t i = 0; i < 4; ++i) {
            compareToReference(*pruned, spectra[i], slices[i].tensor, i == 3, kHeadDim, kHeadDim);
            QCOMPARE(spectra[i].singularValues, before[i].singularValues);
        }
        // Unpruned layers keep their numbers; the pruned one has two heads left.
        QCOMPARE(vitHeadSlices(*pruned, prunedConfig, 0, 2)[0].name,
                 std::string("vit.encoder.layer.0.attention.attention.query.weight · head 2 (rows 32–47)"));
        QCOMPARE(errorOf([&] { vitHeadSlices(*pruned, prunedConfig, 1, 2); }),
                 QStringLiteral("layer 1 has no head 2 (it has 2)"));
    }

    // lucidrains' one bias-free to_qkv [3·8·8, 64]: chunk(3) lays rows out as q, k, v blocks
    // ("3 h d"), each heads × head size; "h 3 d" would put a head's q, k and v together.
    void vitMnistTinysFusedQkv()
    {
        SCULPT_REQUIRE_SHARED(model, "vit_mnist_tiny/vit_mnist.safetensors");
        QTemporaryDir dir;
        const QString sidecar = dir.filePath("vit_mnist.json");
        test::writeFile(sidecar, test::kVitMnistTinySidecar);
        const auto checkpoint = openCheckpoint(model.toStdString());
        const VitConfig config = readVitConfig(*checkpoint, sidecar.toStdString());
        const std::vector<HeadSlice> slices = vitHeadSlices(*checkpoint, config, 5, 7);
        const std::string qkv = "transformer.layers.5.0.fn.fn.to_qkv.weight";
        const std::string out = "transformer.layers.5.0.fn.fn.to_out.weight";
        QCOMPARE(slices.size(), size_t(4));
        QCOMPARE(slices[0].name, qkv + " · head 7 query (rows 56–63)");
        QCOMPARE(slices[1].name, qkv + " · head 7 key (rows 120–127)");
        QCOMPARE(slices[2].name, qkv + " · head 7 value (rows 184–191)");
        QCOMPARE(slices[3].name, out + " · head 7 (columns 56–63)");
        const std::vector<TensorSpectrum> spectra = headSpectra(*checkpoint, slices);
        const int64_t firsts[] = {56, 120, 184, 56};
        for (size_t i = 0; i < 4; ++i)
            compareToReference(*checkpoint, spectra[i], i < 3 ? qkv : out, i == 3, firsts[i], 8);

        VitConfig headsFirst = config;
        headsFirst.qkvLayout = QkvLayout::HeadsThreeDim;
        const std::vector<HeadSlice> together = vitHeadSlices(*checkpoint, headsFirst, 5, 7);
        QCOMPARE(together[0].first, int64_t(168));
        QCOMPARE(together[1].first, int64_t(176));
        QCOMPARE(together[2].first, int64_t(184));
    }
};

QTEST_MAIN(TestHeadSpectra)
#include "test_head_spectra.moc"
