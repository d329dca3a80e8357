// The spectra of a PEFT folder's LoRA updates ΔW = (α/r)·B·A on the bundled fashion-vit, taken
// from the factors: each against LAPACK's float64 SVD of the dense ΔW this test multiplies out
// itself, with rank_pattern and alpha_pattern giving some modules their own r and α (one r
// larger than the weight's smaller side); a base stored transposed (GPT-2's Conv1D); and every
// damaged folder one FileError line naming its file.

#include "analysis/lora_spectra.h"
#include "file_errors.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "peft_files.h"
#include "reference_svd.h"
#include "tensor_files.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>

using namespace sculpt;
using namespace sculpt::test;

namespace {

const std::string kVit = SCULPT_MODELS_DIR "/fashion-vit";
const std::string kQuery0 = "vit.encoder.layer.0.attention.attention.query";
const std::string kValue1 = "vit.encoder.layer.1.attention.attention.value";
const std::string kIntermediate2 = "vit.encoder.layer.2.intermediate.dense"; // [128, 64]
const std::string kOutput3 = "vit.encoder.layer.3.output.dense";             // [64, 128]

// Four modules: r 8 and α 16 by default; the intermediate projection r 72 (more than its 64
// inputs) and the output projection r 12 with α 6, by pattern.
struct Folder {
    std::vector<LoraFactors> factors{randomFactors(kQuery0, 64, 64, 8, 1), randomFactors(kValue1, 64, 64, 8, 2),
                                     randomFactors(kIntermediate2, 128, 64, 72, 3), randomFactors(kOutput3, 64, 128, 12, 4)};
    nlohmann::json config = [this] {
        nlohmann::json c = loraConfig(factors, 8, 16, kVit);
        c["rank_pattern"] = {{"intermediate.dense", 72}, {"layer.3.output.dense", 12}};
        c["alpha_pattern"] = {{"layer.3.output.dense", 6}};
        return c;
    }();
    double alphaOf(const LoraFactors &f) const { return f.module == kOutput3 ? 6.0 : 16.0; }
};

// σ_i of the spectrum against the dense reference, each to 1e-5 of itself; the reference's
// values past the spectrum's (ΔW has rank ≤ r) are rounding noise.
void compareToDense(const TensorSpectrum &spectrum, const LoraFactors &f, double alpha)
{
    const std::vector<double> expected = referenceSingularValues(denseDelta(f, alpha), int(f.out), int(f.in));
    const size_t rank = size_t(std::min({f.r, f.out, f.in}));
    QCOMPARE(spectrum.singularValues.size(), rank);
    for (size_t i = 0; i < rank; ++i)
        QVERIFY2(std::abs(spectrum.singularValues[i] - expected[i]) <= 1e-5 * expected[i],
                 qPrintable(QStringLiteral("%1: σ%2 %3, expected %4")
                                .arg(QString::fromStdString(spectrum.name))
                                .arg(i)
                                .arg(spectrum.singularValues[i], 0, 'g', 12)
                                .arg(expected[i], 0, 'g', 12)));
    for (size_t i = rank; i < expected.size(); ++i)
        QVERIFY(expected[i] < 1e-10 * expected.front());
    double frobeniusSquared = 0;
    for (const double v : denseDelta(f, alpha))
        frobeniusSquared += v * v;
    QVERIFY(std::abs(spectrum.metrics.frobeniusNorm - std::sqrt(frobeniusSquared)) <= 1e-9 * std::sqrt(frobeniusSquared));
}

} // namespace

class TestLoraSpectra : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void eachUpdateIsExactFromItsFactors()
    {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("peft").toStdString();
        const Folder made;
        writePeftFolder(folder, made.config, made.factors);
        const auto base = openCheckpoint(kVit);
        const LoraSpectra spectra = loraSpectra(folder, *base);
        QCOMPARE(spectra.config.r, int64_t(8));
        QCOMPARE(spectra.deltas.size(), made.factors.size());
        size_t place = 0; // in the base checkpoint's order
        for (const LoraDelta &delta : spectra.deltas) {
            const auto f = std::find_if(made.factors.begin(), made.factors.end(),
                                        [&](const LoraFactors &x) { return x.module == delta.module; });
            QVERIFY(f != made.factors.end());
            const size_t at = size_t(base->find(delta.baseTensor) - base->tensors().data());
            QVERIFY(at >= place);
            place = at;
            QCOMPARE(delta.baseTensor, f->module + ".weight");
            QCOMPARE(delta.rank, f->r);
            QCOMPARE(delta.alpha, made.alphaOf(*f));
            QCOMPARE(delta.spectrum.rows, f->out);
            QCOMPARE(delta.spectrum.cols, f->in);
            QCOMPARE(delta.spectrum.method, std::string("exact"));
            QVERIFY(delta.spectrum.contentHash.empty());
            compareToDense(delta.spectrum, *f, made.alphaOf(*f));
        }
        QCOMPARE(spectra.deltas.front().spectrum.name, kQuery0 + ".weight · ΔW (LoRA r 8, α 16)");
        QCOMPARE(spectra.deltas.back().spectrum.name, kOutput3 + ".weight · ΔW (LoRA r 12, α 6)");
    }

    // GPT-2's Conv1D keeps its weight [in, out]; the factors are still PEFT's [r, in] and [out, r].
    void aTransposedBaseWeight()
    {
        QTemporaryDir dir;
        const QString basePath = dir.filePath("conv1d.safetensors");
        const std::string module = "h.0.attn.c_attn";
        writeTensors(basePath, {{module + ".weight", DType::F32, {32, 96}, QByteArray(32 * 96 * 4, '\0')}});
        const LoraFactors f = randomFactors(module, 96, 32, 4, 5);
        const std::string folder = dir.filePath("peft").toStdString();
        writePeftFolder(folder, loraConfig({f}, 4, 8, basePath.toStdString()), {f});
        const LoraSpectra spectra = loraSpectra(folder, *openCheckpoint(basePath.toStdString()));
        QCOMPARE(spectra.deltas.size(), size_t(1));
        QCOMPARE(spectra.deltas[0].spectrum.rows, int64_t(32)); // as the base stores it
        QCOMPARE(spectra.deltas[0].spectrum.cols, int64_t(96));
        compareToDense(spectra.deltas[0].spectrum, f, 8);
    }

    void damagedFoldersAreOneLine_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing B") << "missing B" << "adapter_model.safetensors"
                                   << QString::fromStdString(kQuery0 + " has lora_A.weight but no lora_B.weight");
        QTest::newRow("rank pattern") << "rank pattern" << "adapter_model.safetensors"
                                      << QString::fromStdString(kQuery0 + ".lora_A.weight is [8, 64], not [r, in] = [4, 64]");
        QTest::newRow("not in the base") << "not in the base" << "adapter_model.safetensors"
                                         << "unknown module 'vit.encoder.layer.9.attention.attention.query'";
        QTest::newRow("nan") << "nan" << "adapter_model.safetensors" << "holds NaN or infinite values";
        QTest::newRow("no config") << "no config" << "peft" << "no adapter_config.json";
        QTest::newRow("not lora") << "not lora" << "adapter_config.json" << "only LORA adapters' updates have a spectrum";
    }
    void damagedFoldersAreOneLine()
    {
        QFETCH(QString, damage);
        QFETCH(QString, file);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const std::string folder = dir.filePath("peft").toStdString();
        Folder made;
        made.factors.resize(2); // the two attention modules, r 8
        if (damage == "rank pattern")
            made.config["rank_pattern"] = {{"query", 4}};
        else if (damage == "not in the base")
            made.factors.push_back(randomFactors("vit.encoder.layer.9.attention.attention.query", 64, 64, 8, 6));
        else if (damage == "nan")
            made.factors[1].b[5] = std::nanf("");
        else if (damage == "not lora")
            made.config["peft_type"] = "IA3";
        writePeftFolder(folder, made.config, made.factors, damage == "missing B" ? kQuery0 + ".lora_B.weight" : "");
        if (damage == "no config")
            std::filesystem::remove(folder + "/" + kPeftConfigFile);
        const auto base = openCheckpoint(kVit);
        const QString error = fileError([&] { loraSpectra(folder, *base); });
        QVERIFY2(error.contains(file), qPrintable(error));
        QVERIFY2(error.contains(reason), qPrintable(error));
        QVERIFY2(!error.contains('\n'), qPrintable(error));
    }

    void cancelled()
    {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("peft").toStdString();
        const Folder made;
        writePeftFolder(folder, made.config, made.factors);
        const std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(Cancelled, loraSpectra(folder, *openCheckpoint(kVit), JobContext({}, &cancel)));
    }
};

QTEST_APPLESS_MAIN(TestLoraSpectra)
#include "test_lora_spectra.moc"
