// Hugging Face PEFT's LoRA folders on the bundled ViT: a folder Sculpt writes reads back to the
// same logits under PEFT's exact names; a folder made by hand in PEFT's format loads (list,
// regex and per-module rank patterns); merging folds LoRA into the weights; every broken folder
// is one FileError naming its file, and leaves the model as it was.

#include "file_errors.h"

#include "adapt/adapters.h"
#include "adapt/peft.h"
#include "io/error.h"
#include "io/formats.h"
#include "io/safetensors.h"
#include "runtime/adapter.h"
#include "runtime/model_family.h"
#include "tensor/torch_bridge.h"

#include <QtTest>

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

using namespace sculpt;
using sculpt::test::fileError;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::string kVit = SCULPT_MODELS_DIR "/fashion-vit";
const std::string kPrefix = "base_model.model.";
const std::string kQuery0 = "vit.encoder.layer.0.attention.attention.query";

std::unique_ptr<Model> load() { return loadModel(*openCheckpoint(kVit), torch::kCPU); }

torch::Tensor images(const Model &model, int64_t count)
{
    torch::manual_seed(7);
    const auto &vision = static_cast<const VisionModel &>(model);
    const ImageFormat &f = vision.imageFormat();
    const torch::Tensor bytes = torch::randint(0, 256, {count, f.channels, f.size, f.size}, torch::kUInt8).contiguous();
    return vision.pixels(bytes.data_ptr<uint8_t>(), size_t(bytes.numel()), count);
}

torch::Tensor logits(const Model &model, const torch::Tensor &pixels)
{
    torch::NoGradGuard noGrad;
    return model.forward(ModelInput::ofPixels(pixels)).logits;
}

float maxDifference(const torch::Tensor &a, const torch::Tensor &b) { return (a - b).abs().max().item<float>(); }

// LoRA of rank 4 (α 16) on every q and v site with a random B, so the adapters change the
// output, and a perturbed classifier, as fine-tuning would leave them.
void adaptAndTrain(Model &model)
{
    torch::manual_seed(3);
    AdapterSpec spec;
    spec.rank = 4;
    attachAdapters(model, spec);
    torch::NoGradGuard noGrad;
    for (const LinearSite &site : model.linearSites()) {
        for (const auto &adapter : site.linear->adapters()) {
            torch::Tensor b = static_cast<const LoraAdapter &>(*adapter).b();
            b.normal_(0, 0.05);
        }
        if (site.role == "head") {
            torch::Tensor w = site.linear->weight(), bias = site.linear->bias();
            w.add_(torch::randn_like(w) * 0.05);
            bias.add_(torch::randn_like(bias) * 0.05);
        }
    }
}

size_t adapterCount(Model &model)
{
    size_t n = 0;
    for (const LinearSite &site : model.linearSites())
        n += site.linear->adapters().size();
    return n;
}

json readJson(const std::string &path)
{
    std::ifstream in(path);
    return json::parse(in);
}

void writeText(const std::string &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

using Named = std::vector<std::pair<std::string, torch::Tensor>>;

// The tensors of a safetensors file, read with Sculpt's own reader.
Named readTensors(const std::string &path)
{
    const auto file = readSafetensors(path);
    Named all;
    for (const TensorInfo &t : file->tensors())
        all.emplace_back(t.name, storedTensor(*file, t).clone());
    return all;
}

// A PEFT folder made as PEFT lays one out: adapter_config.json's text and the safetensors file.
void writeFolder(const std::string &folder, const json &config, Named tensors)
{
    fs::create_directories(folder);
    writeText(folder + "/adapter_config.json", config.dump(2));
    writeFloatSafetensors(folder + "/adapter_model.safetensors", std::move(tensors), {{"format", "pt"}});
}

// A config as PEFT writes one for the given targets (keys it always writes).
json peftConfig(json targets, int64_t r, double alpha, json modulesToSave)
{
    return {{"alpha_pattern", json::object()}, {"auto_mapping", nullptr}, {"base_model_name_or_path", "google/vit-base-patch16-224"},
            {"bias", "none"}, {"fan_in_fan_out", false}, {"inference_mode", true}, {"init_lora_weights", true},
            {"layers_pattern", nullptr}, {"layers_to_transform", nullptr}, {"lora_alpha", alpha}, {"lora_dropout", 0.1},
            {"modules_to_save", modulesToSave}, {"peft_type", "LORA"}, {"r", r}, {"rank_pattern", json::object()},
            {"revision", nullptr}, {"target_modules", targets}, {"task_type", nullptr}, {"use_dora", false},
            {"use_rslora", false}};
}

} // namespace

class TestPeft : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(fs::is_directory(kVit)); }

    // (a) Sculpt's folder reads back to the same logits, under PEFT's names.
    void writtenFolderReadsBackToTheSameLogits()
    {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("peft").toStdString();
        const auto model = load();
        const torch::Tensor pixels = images(*model, 6);
        const torch::Tensor base = logits(*model, pixels);
        adaptAndTrain(*model);
        const torch::Tensor adapted = logits(*model, pixels);
        QVERIFY(maxDifference(adapted, base) > 1e-3f); // the adapters and the classifier do change it
        writePeft(*model, folder, kVit);

        const auto fresh = load();
        const PeftLoad loaded = attachPeft(*fresh, folder);
        QCOMPARE(loaded.adaptedSites.size(), size_t(8));
        QCOMPARE(loaded.adaptedSites.front(), kQuery0);
        QCOMPARE(std::set<std::string>(loaded.savedTensors.begin(), loaded.savedTensors.end()),
                 (std::set<std::string>{"classifier.weight", "classifier.bias"}));
        QCOMPARE(loaded.savedTensors.size(), size_t(2));
        QCOMPARE(adapterCount(*fresh), size_t(8));
        QCOMPARE(maxDifference(logits(*fresh, pixels), adapted), 0.0f);

        // PEFT's names and keys, exactly.
        std::map<std::string, std::vector<int64_t>> shapes;
        for (const auto &[name, t] : readTensors(folder + "/adapter_model.safetensors"))
            shapes[name] = t.sizes().vec();
        QCOMPARE(shapes.size(), size_t(4 * 2 * 2 + 2));
        QCOMPARE(shapes.at(kPrefix + kQuery0 + ".lora_A.weight"), (std::vector<int64_t>{4, 64}));
        QCOMPARE(shapes.at(kPrefix + kQuery0 + ".lora_B.weight"), (std::vector<int64_t>{64, 4}));
        QCOMPARE(shapes.at(kPrefix + "vit.encoder.layer.3.attention.attention.value.lora_B.weight"),
                 (std::vector<int64_t>{64, 4}));
        QCOMPARE(shapes.at(kPrefix + "classifier.weight"), (std::vector<int64_t>{10, 64}));
        QCOMPARE(shapes.at(kPrefix + "classifier.bias"), (std::vector<int64_t>{10}));
        QVERIFY(!shapes.count(kPrefix + "vit.encoder.layer.0.attention.attention.key.lora_A.weight"));
        QCOMPARE(readSafetensors(folder + "/adapter_model.safetensors")->metadata().at("format"), std::string("pt"));

        const json config = readJson(folder + "/adapter_config.json");
        std::set<std::string> keys;
        for (const auto &[key, value] : config.items())
            keys.insert(key);
        const std::set<std::string> peftKeys{"alpha_pattern", "auto_mapping", "base_model_name_or_path", "bias",
                                             "fan_in_fan_out", "inference_mode", "init_lora_weights", "layers_pattern",
                                             "layers_to_transform", "lora_alpha", "lora_dropout", "modules_to_save",
                                             "peft_type", "r", "rank_pattern", "revision", "target_modules",
                                             "task_type", "use_dora", "use_rslora"};
        QCOMPARE(keys, peftKeys);
        QCOMPARE(config["peft_type"], json("LORA"));
        QCOMPARE(config["r"], json(4));
        QVERIFY(config["lora_alpha"].is_number_integer());
        QCOMPARE(config["lora_alpha"], json(16));
        QCOMPARE(config["target_modules"], json({"query", "value"}));
        QCOMPARE(config["modules_to_save"], json({"classifier"}));
        QCOMPARE(config["base_model_name_or_path"], json(kVit));
        QCOMPARE(config["bias"], json("none"));
        QCOMPARE(config["rank_pattern"], json::object());

        const PeftConfig read = readPeftConfig(folder);
        QCOMPARE(read.r, int64_t(4));
        QCOMPARE(read.loraAlpha, 16.0);
        QCOMPARE(resolvePeftBase(folder), fs::path(kVit).lexically_normal().string());
    }

    // Adapters of other ranks and α on some sites go into rank_pattern and alpha_pattern, and
    // targets that short names cannot select exactly are written whole.
    // Pear's result: layer 1's q LoRA kept frozen and served by layer 0's q at scale 0.4, layer
    // 2's q served by it alone (its own pruned). The shared LoRA is written once; sculpt_shared
    // names what it serves; the folder reads back to bit-identical logits and merges.
    void sharedAndFrozenAdaptersRoundTrip()
    {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("peft").toStdString();
        const auto model = load();
        const torch::Tensor pixels = images(*model, 6);
        adaptAndTrain(*model);
        std::map<std::string, LinearSite> sites;
        for (const LinearSite &site : model->linearSites())
            sites[site.name] = site;
        const auto q = [](int layer) { return "vit.encoder.layer." + std::to_string(layer) + ".attention.attention.query"; };
        const std::shared_ptr<Adapter> serving = sites[q(0)].linear->adapters().front();
        const std::shared_ptr<Adapter> kept = sites[q(1)].linear->adapters().front();
        sites[q(1)].linear->detachAdapters();
        sites[q(1)].linear->attach(std::make_shared<FrozenAdapter>(kept));
        sites[q(1)].linear->attach(std::make_shared<SharedAdapter>(serving, torch::full({}, 0.4)));
        sites[q(2)].linear->detachAdapters();
        sites[q(2)].linear->attach(std::make_shared<SharedAdapter>(serving, torch::full({}, 1.0)));
        const torch::Tensor adapted = logits(*model, pixels);
        writePeft(*model, folder, kVit);

        const json config = readJson(folder + "/adapter_config.json");
        QCOMPARE(config["sculpt_shared"], json({{q(1), {{"adapter", q(0)}, {"scale", double(0.4f)}}},
                                                {q(2), {{"adapter", q(0)}, {"scale", 1.0}}}}));
        std::set<std::string> modules;
        for (const auto &[name, t] : readTensors(folder + "/adapter_model.safetensors"))
            if (name.ends_with(".lora_A.weight"))
                modules.insert(name);
        QCOMPARE(modules.size(), size_t(7)); // 8 LoRA less q(2)'s: the shared one once, the frozen one kept
        QVERIFY(!modules.count(kPrefix + q(2) + ".lora_A.weight"));

        const auto fresh = load();
        attachPeft(*fresh, folder);
        QCOMPARE(maxDifference(logits(*fresh, pixels), adapted), 0.0f);
        mergeAdapters(*fresh);
        QVERIFY(maxDifference(logits(*fresh, pixels), adapted) < 1e-4f);

        // A module served by one that holds no LoRA in the folder is refused, naming the config.
        json broken = config;
        broken["sculpt_shared"][q(1)]["adapter"] = q(2);
        writeText(folder + "/adapter_config.json", broken.dump());
        const auto other = load();
        QVERIFY(fileError([&] { attachPeft(*other, folder); }).contains("which holds no adapter here"));
        QCOMPARE(adapterCount(*other), size_t(0));
    }

    void mixedRanksUsePatterns()
    {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("peft").toStdString();
        torch::manual_seed(5);
        const auto model = load();
        const torch::Device cpu(torch::kCPU);
        const std::string value1 = "vit.encoder.layer.1.attention.attention.value";
        for (const LinearSite &site : model->linearSites()) {
            if (site.name == kQuery0 || site.name == value1) {
                const int64_t r = site.name == kQuery0 ? 2 : 5;
                auto lora = std::make_shared<LoraAdapter>(site.linear->inFeatures(), site.linear->outFeatures(), r,
                                                          site.name == kQuery0 ? 4.0 : 2.5, cpu);
                torch::NoGradGuard noGrad;
                torch::Tensor b = lora->b();
                b.normal_(0, 0.1);
                site.linear->attach(lora);
            }
        }
        const torch::Tensor pixels = images(*model, 4);
        const torch::Tensor adapted = logits(*model, pixels);
        writePeft(*model, folder, "some/hub-model");
        const json config = readJson(folder + "/adapter_config.json");
        QCOMPARE(config["target_modules"], json({kQuery0, value1}));
        QCOMPARE(config["r"], json(2));
        QCOMPARE(config["rank_pattern"], json({{value1, 5}}));
        QCOMPARE(config["alpha_pattern"], json({{value1, 2.5}}));
        QCOMPARE(resolvePeftBase(folder), std::string()); // a hub name: out of reach

        const auto fresh = load();
        attachPeft(*fresh, folder);
        QCOMPARE(maxDifference(logits(*fresh, pixels), adapted), 0.0f);
        for (const LinearSite &site : fresh->linearSites())
            if (site.name == value1) {
                const auto &lora = static_cast<const LoraAdapter &>(*site.linear->adapters().at(0));
                QCOMPARE(lora.rank(), int64_t(5));
                QCOMPARE(lora.alpha(), 2.5);
            }
    }

    // (b) A folder made by hand in PEFT's format: short target names, a classifier saved whole.
    void handMadeFolderLoads()
    {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("handmade").toStdString();
        torch::manual_seed(11);
        const auto model = load();
        Named tensors;
        std::map<std::string, std::pair<torch::Tensor, torch::Tensor>> factors;
        for (const LinearSite &site : model->linearSites())
            if (site.role == "q" || site.role == "v") {
                const torch::Tensor a = torch::randn({2, site.linear->inFeatures()}) * 0.2;
                const torch::Tensor b = torch::randn({site.linear->outFeatures(), 2}) * 0.2;
                factors[site.name] = {a, b};
                tensors.emplace_back(kPrefix + site.name + ".lora_A.weight", a);
                tensors.emplace_back(kPrefix + site.name + ".lora_B.weight", b);
            }
        const torch::Tensor classifier = torch::randn({10, 64}) * 0.1, classifierBias = torch::randn({10}) * 0.1;
        tensors.emplace_back(kPrefix + "classifier.weight", classifier);
        tensors.emplace_back(kPrefix + "classifier.bias", classifierBias);
        // base_model_name_or_path relative to the PEFT folder.
        json config = peftConfig({"query", "value"}, 2, 4, {"classifier"});
        fs::create_directories(folder);
        config["base_model_name_or_path"] = fs::relative(fs::path(kVit), fs::path(folder)).string();
        writeFolder(folder, config, tensors);
        QCOMPARE(fs::weakly_canonical(resolvePeftBase(folder)), fs::weakly_canonical(kVit));

        const PeftLoad loaded = attachPeft(*model, folder);
        QCOMPARE(loaded.adaptedSites.size(), size_t(8));
        // Each adapted site computes x·Wᵀ + b + (α/r)·x·Aᵀ·Bᵀ with the file's A and B.
        const auto reference = load();
        std::map<std::string, LinearSite> referenceSites;
        for (const LinearSite &site : reference->linearSites())
            referenceSites[site.name] = site;
        torch::NoGradGuard noGrad;
        for (const LinearSite &site : model->linearSites()) {
            if (site.role == "conv")
                continue;
            const torch::Tensor x = torch::randn({3, site.linear->inFeatures()});
            const Linear &original = *referenceSites.at(site.name).linear;
            torch::Tensor expected = torch::linear(x, original.weight(), original.bias());
            if (const auto it = factors.find(site.name); it != factors.end())
                expected = expected + (4.0 / 2.0) * x.matmul(it->second.first.t()).matmul(it->second.second.t());
            if (site.role == "head")
                expected = torch::linear(x, classifier, classifierBias);
            QVERIFY2(maxDifference((*site.linear)(x), expected) < 1e-5f, site.name.c_str());
        }

        // The same folder with target_modules as a regular expression, and with "all-linear"
        // restricted by exclude_modules and layers_to_transform.
        for (const json &targets : {json(".*\\.(query|value)"), json("vit\\.encoder\\.layer\\.\\d\\.attention\\.attention\\.(query|value)")}) {
            config["target_modules"] = targets;
            writeText(folder + "/adapter_config.json", config.dump());
            const auto again = load();
            QCOMPARE(attachPeft(*again, folder).adaptedSites, loaded.adaptedSites);
        }
        config["target_modules"] = "all-linear";
        config["exclude_modules"] = {"key", "dense"};
        writeText(folder + "/adapter_config.json", config.dump());
        QCOMPARE(attachPeft(*load(), folder).adaptedSites, loaded.adaptedSites);
        config.erase("exclude_modules");
        config["target_modules"] = {"query", "value"};
        config["layers_to_transform"] = {0, 2};
        writeText(folder + "/adapter_config.json", config.dump());
        QVERIFY(fileError([&] { attachPeft(*load(), folder); })
                    .contains("vit.encoder.layer.1.attention.attention.query has adapter tensors but target_modules does not select it"));
    }

    // (c) Merging folds every LoRA into its weight, a low-rank base included.
    void mergeFoldsLoraIntoTheWeights()
    {
        const auto model = load();
        // One q site factored first, as a compression pass leaves it: merging makes it dense.
        for (const LinearSite &site : model->linearSites())
            if (site.name == kQuery0) {
                torch::NoGradGuard noGrad;
                const torch::Tensor w = site.linear->weight();
                *site.linear = Linear::lowRank(w.narrow(1, 0, 16).clone(), torch::eye(64).narrow(0, 0, 16).clone(),
                                               std::nullopt, site.linear->bias());
            }
        adaptAndTrain(*model);
        const torch::Tensor pixels = images(*model, 8);
        const torch::Tensor adapted = logits(*model, pixels);
        const int64_t before = [&] {
            int64_t n = 0;
            for (const auto &[name, t] : model->parameters())
                n += t.numel();
            return n;
        }();
        QCOMPARE(mergeAdapters(*model), size_t(8));
        QCOMPARE(adapterCount(*model), size_t(0));
        for (const LinearSite &site : model->linearSites())
            QVERIFY2(!site.linear->isLowRank() || site.role != "q", site.name.c_str());
        const float difference = maxDifference(logits(*model, pixels), adapted);
        QVERIFY2(difference < 1e-5f, qPrintable(QString::number(difference)));
        int64_t after = 0;
        for (const auto &[name, t] : model->parameters()) {
            QVERIFY2(name.find("lora_") == std::string::npos, name.c_str());
            after += t.numel();
        }
        // 8 adapters of 2·64·4 gone; the factored site's 64·16 + 16·64 became 64·64.
        QCOMPARE(after, before - 8 * 2 * 64 * 4 - 2 * 64 * 16 + 64 * 64);
        QCOMPARE(mergeAdapters(*model), size_t(0));
    }

    void bottlenecksAreNotMerged()
    {
        const auto model = load();
        adaptAndTrain(*model);
        AdapterSpec spec;
        spec.kind = "bottleneck";
        attachAdapters(*model, spec);
        try {
            mergeAdapters(*model);
            QFAIL("a bottleneck adapter was merged");
        } catch (const std::invalid_argument &e) {
            QVERIFY2(QString(e.what()).contains("bottleneck"), e.what());
        }
        QCOMPARE(adapterCount(*model), size_t(8)); // nothing changed
        QTemporaryDir dir;
        const std::string folder = dir.filePath("peft").toStdString();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writePeft(*model, folder, kVit));
        QVERIFY(!fs::exists(folder));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writePeft(*load(), folder, kVit)); // no adapter at all
        QVERIFY(!fs::exists(folder));
    }

    // A folder the user made (not Sculpt's) is never replaced; Sculpt's own is.
    void writeKeepsOtherFolders()
    {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("mine").toStdString();
        fs::create_directories(folder);
        writeText(folder + "/notes.txt", "mine");
        const auto model = load();
        adaptAndTrain(*model);
        QVERIFY(fileError([&] { writePeft(*model, folder, kVit); }).contains("mine"));
        QVERIFY(fs::exists(folder + "/notes.txt"));
        QVERIFY(!fs::exists(folder + "/adapter_config.json"));
        const std::string ours = dir.filePath("ours").toStdString();
        writePeft(*model, ours, kVit);
        writePeft(*model, ours, "elsewhere");
        QCOMPARE(readJson(ours + "/adapter_config.json")["base_model_name_or_path"], json("elsewhere"));
    }

    // A language model: LLaMA's module names, no classifier saved, CAUSAL_LM; merged too.
    void languageModelRoundTrip()
    {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("peft").toStdString();
        const std::string llama = SCULPT_MODELS_DIR "/fortunes-llama";
        const auto model = loadModel(*openCheckpoint(llama), torch::kCPU);
        torch::manual_seed(9);
        AdapterSpec spec;
        spec.rank = 2;
        attachAdapters(*model, spec);
        {
            torch::NoGradGuard noGrad;
            for (const LinearSite &site : model->linearSites())
                for (const auto &adapter : site.linear->adapters()) {
                    torch::Tensor b = static_cast<const LoraAdapter &>(*adapter).b();
                    b.normal_(0, 0.05);
                }
        }
        const torch::Tensor tokens = torch::randint(1, 100, {2, 12}, torch::kInt64);
        const auto run = [&](const Model &m) {
            torch::NoGradGuard noGrad;
            return m.forward(ModelInput::ofTokens(tokens)).logits;
        };
        const torch::Tensor adapted = run(*model);
        writePeft(*model, folder, llama);
        const json config = readJson(folder + "/adapter_config.json");
        QCOMPARE(config["target_modules"], json({"q_proj", "v_proj"}));
        QCOMPARE(config["task_type"], json("CAUSAL_LM"));
        QVERIFY(config["modules_to_save"].is_null());
        QVERIFY(readSafetensors(folder + "/adapter_model.safetensors")
                    ->find(kPrefix + "model.layers.0.self_attn.q_proj.lora_A.weight"));

        const auto fresh = loadModel(*openCheckpoint(llama), torch::kCPU);
        QVERIFY(maxDifference(run(*fresh), adapted) > 1e-4f);
        const PeftLoad loaded = attachPeft(*fresh, folder);
        QVERIFY(loaded.savedTensors.empty());
        QCOMPARE(maxDifference(run(*fresh), adapted), 0.0f);
        QCOMPARE(mergeAdapters(*fresh), loaded.adaptedSites.size());
        QVERIFY2(maxDifference(run(*fresh), adapted) < 1e-4f, qPrintable(QString::number(maxDifference(run(*fresh), adapted))));
    }

    // (d) Every broken folder: one FileError naming the file, and the model unchanged.
    void brokenFoldersAreRefused_data()
    {
        QTest::addColumn<QString>("broken");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        const auto row = [](const char *name, const char *file, const char *reason) {
            QTest::newRow(name) << QString(name) << QString(file) << QString(reason);
        };
        row("no folder", "nowhere", "no such folder");
        row("no config", "peft", "no adapter_config.json");
        row("bad json", "adapter_config.json", "adapter_config.json");
        row("not an object", "adapter_config.json", "not a JSON object");
        row("not lora", "adapter_config.json", "peft_type is 'IA3': only LORA");
        row("no peft_type", "adapter_config.json", "no peft_type");
        row("rslora", "adapter_config.json", "use_rslora");
        row("dora", "adapter_config.json", "use_dora");
        row("bias", "adapter_config.json", "bias is 'all'");
        row("bad rank", "adapter_config.json", "r is 0");
        row("bad targets", "adapter_config.json", "target_modules holds 3");
        row("bad regex", "adapter_config.json", "not a regular expression");
        row("no targets", "adapter_config.json", "no target_modules");
        row("no weights", "peft", "no adapter_model.safetensors");
        row("pickled weights", "adapter_model.bin", "only adapter_model.safetensors");
        row("truncated weights", "adapter_model.safetensors", "adapter_model.safetensors");
        row("unknown module", "adapter_model.safetensors", "unknown module 'vit.encoder.layer.7.attention.attention.query'");
        row("wrong shape A", "adapter_model.safetensors", "lora_A.weight is [4, 63], not [r, in] = [4, 64]");
        row("wrong rank B", "adapter_model.safetensors", "lora_B.weight is [64, 3], not [out, r] = [64, 4]");
        row("missing B", "adapter_model.safetensors", "has lora_A.weight but no lora_B.weight");
        row("missing A", "adapter_model.safetensors", "has lora_B.weight but no lora_A.weight");
        row("not targeted", "adapter_model.safetensors", "target_modules does not select it");
        row("target without tensors", "adapter_model.safetensors", "key but the file holds no adapter tensors for it");
        row("other prefix", "adapter_model.safetensors", "is not under base_model.model.");
        row("stray tensor", "adapter_model.safetensors", "no module of modules_to_save");
        row("classifier shape", "adapter_model.safetensors", "classifier.weight is [5, 64] but the model's is [10, 64]");
        row("dora tensor", "adapter_model.safetensors", "a LoRA tensor Sculpt does not run");
        row("nan", "adapter_model.safetensors", "NaN or infinite");
        row("integer", "adapter_model.safetensors", "not a floating-point type");
    }
    void brokenFoldersAreRefused()
    {
        QFETCH(QString, broken);
        QFETCH(QString, file);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const std::string folder = dir.filePath("peft").toStdString();
        {
            const auto model = load();
            adaptAndTrain(*model);
            writePeft(*model, folder, kVit);
        }
        const std::string configPath = folder + "/adapter_config.json", weightsPath = folder + "/adapter_model.safetensors";
        json config = readJson(configPath);
        Named tensors = readTensors(weightsPath);
        const auto find = [&](const std::string &name) -> torch::Tensor & {
            for (auto &[n, t] : tensors)
                if (n == name)
                    return t;
            throw std::runtime_error("no tensor " + name);
        };
        const auto drop = [&](const std::string &name) {
            std::erase_if(tensors, [&](const auto &named) { return named.first == name; });
        };
        const std::string q0 = kPrefix + kQuery0;
        std::string target = folder;
        const std::string b = broken.toStdString();
        bool rewrite = true;
        if (b == "no folder") {
            target = dir.filePath("nowhere").toStdString();
        } else if (b == "no config") {
            fs::remove(configPath);
            rewrite = false;
        } else if (b == "bad json") {
            writeText(configPath, "{\"peft_type\": \"LORA\", ");
            rewrite = false;
        } else if (b == "not an object") {
            writeText(configPath, "[1, 2]");
            rewrite = false;
        } else if (b == "not lora") {
            config["peft_type"] = "IA3";
        } else if (b == "no peft_type") {
            config.erase("peft_type");
        } else if (b == "rslora") {
            config["use_rslora"] = true;
        } else if (b == "dora") {
            config["use_dora"] = true;
        } else if (b == "bias") {
            config["bias"] = "all";
        } else if (b == "bad rank") {
            config["r"] = 0;
        } else if (b == "bad targets") {
            config["target_modules"] = {"query", 3};
        } else if (b == "bad regex") {
            config["target_modules"] = ".*(query";
        } else if (b == "no targets") {
            config.erase("target_modules");
        } else if (b == "no weights" || b == "pickled weights") {
            fs::remove(weightsPath);
            if (b == "pickled weights")
                writeText(folder + "/adapter_model.bin", "PK");
            writeText(configPath, config.dump());
            rewrite = false;
        } else if (b == "truncated weights") {
            fs::resize_file(weightsPath, fs::file_size(weightsPath) - 100);
            rewrite = false;
        } else if (b == "unknown module") {
            tensors.emplace_back(kPrefix + "vit.encoder.layer.7.attention.attention.query.lora_A.weight", torch::zeros({4, 64}));
            tensors.emplace_back(kPrefix + "vit.encoder.layer.7.attention.attention.query.lora_B.weight", torch::zeros({64, 4}));
        } else if (b == "wrong shape A") {
            find(q0 + ".lora_A.weight") = torch::zeros({4, 63});
        } else if (b == "wrong rank B") {
            find(q0 + ".lora_B.weight") = torch::zeros({64, 3});
        } else if (b == "missing B") {
            drop(q0 + ".lora_B.weight");
        } else if (b == "missing A") {
            drop(q0 + ".lora_A.weight");
        } else if (b == "not targeted") {
            config["target_modules"] = {"query"};
        } else if (b == "target without tensors") {
            config["target_modules"] = {"query", "key", "value"};
        } else if (b == "other prefix") {
            tensors.emplace_back("model.classifier.weight", torch::zeros({10, 64}));
        } else if (b == "stray tensor") {
            config["modules_to_save"] = nullptr;
        } else if (b == "classifier shape") {
            find(kPrefix + "classifier.weight") = torch::zeros({5, 64});
        } else if (b == "dora tensor") {
            tensors.emplace_back(q0 + ".lora_magnitude_vector", torch::ones({64}));
        } else if (b == "nan") {
            find(q0 + ".lora_A.weight")[0][0] = std::numeric_limits<float>::quiet_NaN();
        } else if (b == "integer") {
            rewrite = false;
            writeText(configPath, config.dump());
            const torch::Tensor ints = torch::zeros({4, 64}, torch::kInt32);
            std::vector<TensorToWrite> raw;
            for (auto &[name, t] : tensors) {
                t = t.contiguous();
                const torch::Tensor &stored = name == q0 + ".lora_A.weight" ? ints : t;
                raw.push_back({name, name == q0 + ".lora_A.weight" ? DType::I32 : DType::F32, stored.sizes().vec(),
                               std::span(static_cast<const std::byte *>(stored.data_ptr()), size_t(stored.nbytes()))});
            }
            writeSafetensors(weightsPath, raw);
        } else {
            QFAIL("no such case");
        }
        if (rewrite)
            writeFolder(folder, config, tensors);

        const auto model = load();
        const torch::Tensor pixels = images(*model, 2);
        const torch::Tensor before = logits(*model, pixels);
        const QString error = fileError([&] { attachPeft(*model, target); });
        QVERIFY2(error.contains(file), qPrintable(error));
        QVERIFY2(error.contains(reason), qPrintable(error));
        QVERIFY2(!error.contains('\n'), qPrintable(error));
        QCOMPARE(adapterCount(*model), size_t(0));
        QCOMPARE(maxDifference(logits(*model, pixels), before), 0.0f);
    }
};

QTEST_APPLESS_MAIN(TestPeft)
#include "test_peft.moc"
