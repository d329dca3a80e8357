// `sculpt-cli merge PEFT_DIR -o OUT` as a user runs it: a PEFT folder written for the bundled
// fashion-vit merges into a Hugging Face folder that loads (and `sculpt-cli eval`s) to the
// adapted model's logits and predictions; bad input is one line, exit 2, and no OUT.

#include "cli_runner.h"

#include "adapt/adapters.h"
#include "adapt/peft.h"
#include "data/idx.h"
#include "io/formats.h"
#include "io/safetensors.h"
#include "runtime/adapter.h"
#include "runtime/model_family.h"
#include "tensor/torch_bridge.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace sculpt;
using sculpt::test::runCli;
namespace fs = std::filesystem;

namespace {

const std::string kVit = SCULPT_MODELS_DIR "/fashion-vit";
const QString kImages = QStringLiteral("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
const QString kLabels = QStringLiteral("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
constexpr int64_t kImagesRun = 300;

std::unique_ptr<Model> load(const std::string &path) { return loadModel(*openCheckpoint(path), torch::kCPU); }

// LoRA r = 4 on q and v with a random B, and a perturbed classifier: a fine-tuned model.
void adaptAndTrain(Model &model)
{
    torch::manual_seed(21);
    AdapterSpec spec;
    spec.rank = 4;
    attachAdapters(model, spec);
    torch::NoGradGuard noGrad;
    for (const LinearSite &site : model.linearSites()) {
        for (const auto &adapter : site.linear->adapters()) {
            torch::Tensor b = static_cast<const LoraAdapter &>(*adapter).b();
            b.normal_(0, 0.1);
        }
        if (site.role == "head") {
            torch::Tensor w = site.linear->weight();
            w.add_(torch::randn_like(w) * 0.2);
        }
    }
}

// The first kImagesRun Fashion-MNIST test images, normalised for `model`.
torch::Tensor testPixels(const Model &model)
{
    const IdxImages all = readIdxImages(kImages.toStdString());
    const size_t bytes = size_t(kImagesRun * all.rows * all.cols);
    return static_cast<const VisionModel &>(model).pixels(all.pixels.data(), bytes, kImagesRun);
}

torch::Tensor logits(const Model &model, const torch::Tensor &pixels)
{
    torch::NoGradGuard noGrad;
    return model.forward(ModelInput::ofPixels(pixels)).logits;
}

void writeText(const std::string &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

} // namespace

class TestCliMerge : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(kImages))
            QFAIL("Debian's dataset-fashion-mnist is not installed (packaging/setup.sh installs it)");
    }

    void help()
    {
        const auto run = runCli({"merge", "--help"});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains("sculpt-cli merge PEFT_DIR"), run.out.constData());
        QVERIFY(runCli({"--help"}).out.contains("sculpt-cli merge"));
    }

    // The PEFT folder names fashion-vit's folder as its base: no --base needed.
    void mergedFolderGivesTheAdaptedLogits()
    {
        QTemporaryDir dir;
        const std::string peft = dir.filePath("peft").toStdString(), out = dir.filePath("merged").toStdString();
        const auto adapted = load(kVit);
        adaptAndTrain(*adapted);
        writePeft(*adapted, peft, kVit);
        const torch::Tensor pixels = testPixels(*adapted);
        const torch::Tensor expected = logits(*adapted, pixels);
        QVERIFY((expected - logits(*load(kVit), pixels)).abs().max().item<float>() > 1e-2f); // it changed the model

        const auto run = runCli({"merge", QString::fromStdString(peft), "-o", QString::fromStdString(out), "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(o["merged"].toArray().size(), 8);
        QCOMPARE(o["modules_to_save"].toArray().size(), 2);
        QCOMPARE(o["output"].toString(), QString::fromStdString(fs::path(out).lexically_normal().string()));

        // A plain HF folder: loads without PEFT, no adapter tensors, the merged weights.
        QVERIFY(fs::exists(out + "/config.json") && fs::exists(out + "/model.safetensors"));
        const auto checkpoint = openCheckpoint(out);
        for (const TensorInfo &t : checkpoint->tensors())
            QVERIFY2(t.name.find("lora_") == std::string::npos, t.name.c_str());
        const auto merged = loadModel(*checkpoint, torch::kCPU);
        for (const LinearSite &site : merged->linearSites())
            QVERIFY(site.linear->adapters().empty());
        const torch::Tensor got = logits(*merged, pixels);
        const float difference = (got - expected).abs().max().item<float>();
        QVERIFY2(difference < 1e-4f, qPrintable(QString::number(difference)));

        // sculpt-cli eval on the merged folder predicts as the adapted model does.
        const std::vector<uint8_t> labels = readIdxLabels(kLabels.toStdString());
        const torch::Tensor truth = torch::tensor(std::vector<int64_t>(labels.begin(), labels.begin() + kImagesRun));
        const long correct = (expected.argmax(1) == truth).sum().item<long>();
        const auto eval = runCli({"eval", QString::fromStdString(out), "--images", kImages, "--labels", kLabels, "--limit",
                                  QString::number(kImagesRun), "--workspace", dir.filePath("eval.h5"), "--json"});
        QVERIFY2(eval.exitCode == 0, eval.err.constData());
        const QJsonObject e = QJsonDocument::fromJson(eval.out).object();
        QCOMPARE(e["images"].toInt(), int(kImagesRun));
        QCOMPARE(long(e["correct"].toInt()), correct);

        // The record of what was merged, in config.json.
        std::ifstream configFile(out + "/config.json");
        const nlohmann::json config = nlohmann::json::parse(configFile);
        QVERIFY(config.contains("sculpt_peft_merge"));
        QCOMPARE(config["sculpt_peft_merge"]["merged"].size(), size_t(8));
    }

    // A hub name as base: refused without --base, which then gives the folder.
    void baseGivenByHand()
    {
        QTemporaryDir dir;
        const std::string peft = dir.filePath("peft").toStdString(), out = dir.filePath("merged").toStdString();
        const auto adapted = load(kVit);
        adaptAndTrain(*adapted);
        writePeft(*adapted, peft, "google/vit-base-patch16-224-in21k");

        auto run = runCli({"merge", QString::fromStdString(peft), "-o", QString::fromStdString(out)});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("google/vit-base-patch16-224-in21k") && run.err.contains("--base"), run.err.constData());
        QCOMPARE(run.err.count('\n'), 1);
        QVERIFY(!fs::exists(out));

        run = runCli({"merge", QString::fromStdString(peft), "--base", QString::fromStdString(kVit), "-o",
                      QString::fromStdString(out)});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.contains("merged 8 LoRA adapters"), run.out.constData());
        const torch::Tensor pixels = testPixels(*adapted);
        const float difference = (logits(*load(out), pixels) - logits(*adapted, pixels)).abs().max().item<float>();
        QVERIFY2(difference < 1e-4f, qPrintable(QString::number(difference)));
    }

    void badInputIsRefused_data()
    {
        QTest::addColumn<QString>("broken");
        QTest::addColumn<QString>("message");
        QTest::newRow("no folder") << "no folder" << "no such folder";
        QTest::newRow("unknown module") << "unknown module" << "adapter_model.safetensors: unknown module";
        QTest::newRow("not lora") << "not lora" << "adapter_config.json: peft_type is 'PREFIX_TUNING'";
        QTest::newRow("base is no model") << "base is no model" << "config.json";
        QTest::newRow("out is the user's") << "out is the user's" << "merged";
        QTest::newRow("no -o") << "no -o" << "usage: sculpt-cli merge";
    }
    void badInputIsRefused()
    {
        QFETCH(QString, broken);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const std::string peft = dir.filePath("peft").toStdString(), out = dir.filePath("merged").toStdString();
        {
            const auto adapted = load(kVit);
            adaptAndTrain(*adapted);
            writePeft(*adapted, peft, kVit);
        }
        QStringList args{"merge", QString::fromStdString(peft), "-o", QString::fromStdString(out)};
        if (broken == "no folder") {
            args[1] = dir.filePath("nowhere");
        } else if (broken == "unknown module") {
            // One module renamed to one the base does not have, written with the project's writer.
            const std::string weights = peft + "/adapter_model.safetensors", renamed = "layer.3.attention.attention.value";
            const auto file = readSafetensors(weights);
            std::vector<std::pair<std::string, torch::Tensor>> tensors;
            for (const TensorInfo &t : file->tensors()) {
                std::string name = t.name;
                if (const size_t at = name.find(renamed); at != std::string::npos)
                    name.replace(at, renamed.size(), "layer.3.fc9");
                tensors.emplace_back(name, storedTensor(*file, t).clone());
            }
            writeFloatSafetensors(weights, std::move(tensors));
        } else if (broken == "not lora") {
            std::ifstream in(peft + "/adapter_config.json");
            nlohmann::json config = nlohmann::json::parse(in);
            config["peft_type"] = "PREFIX_TUNING";
            writeText(peft + "/adapter_config.json", config.dump());
        } else if (broken == "base is no model") {
            args << "--base" << dir.path(); // a folder without config.json
        } else if (broken == "out is the user's") {
            fs::create_directories(out);
            writeText(out + "/notes.txt", "mine");
        } else if (broken == "no -o") {
            args = QStringList{"merge", QString::fromStdString(peft)};
        }
        const auto run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString(run.err).contains(message), run.err.constData());
        if (broken != "no -o")
            QCOMPARE(run.err.count('\n'), 1);
        if (broken == "out is the user's") {
            QVERIFY(fs::exists(out + "/notes.txt"));
            QVERIFY(!fs::exists(out + "/config.json"));
        } else {
            QVERIFY(!fs::exists(out));
        }
    }
};

QTEST_APPLESS_MAIN(TestCliMerge)
#include "test_cli_merge.moc"
