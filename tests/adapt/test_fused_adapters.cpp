// LoRA on a fused q/k/v projection, as loralib's MergedLinear puts it there: q and v each get
// their own LoRA whose output lands only in that role's rows. On tiny lucidrains-style ViTs
// written here, in both row layouts ("3 h d", "h 3 d"), and on ../shared's vit_mnist_tiny: new
// adapters change nothing, trained ones compute what the weight with (α/r)·B·A added to those
// rows computes, ΔW is zero outside them, merging keeps the output, PEFT folders are refused,
// and the adapters train exactly 2 · layers · r · (in + rows) parameters. Lily likewise puts a
// Lily per role on that role's rows, with the role's experts.

#include "adapt/adapters.h"
#include "adapt/expert_routing.h"
#include "adapt/peft.h"
#include "io/formats.h"
#include "lily/lily_adapter.h"
#include "runtime/adapter.h"
#include "runtime/model_family.h"
#include "vit_files.h"

#include <QtTest>

#include <torch/torch.h>

#include <set>

using namespace sculpt;

namespace {

const char *const kMnistTiny = "vit_mnist_tiny/vit_mnist.safetensors";

// A ViT with a fused q/k/v projection: ../shared's vit_mnist_tiny ("3 h d"), null when absent,
// or a tiny one of `layout` written into `dir`.
std::unique_ptr<Model> fusedVit(const QString &which, const QString &layout, const QTemporaryDir &dir)
{
    const QString sidecar = dir.filePath("sidecar.json");
    if (which == "vit_mnist_tiny") {
        const QString model = test::sharedModel(kMnistTiny);
        if (model.isEmpty())
            return nullptr;
        test::writeFile(sidecar, test::kVitMnistTinySidecar);
        return loadModel(*openCheckpoint(model.toStdString()), torch::kCPU, {sidecar.toStdString()});
    }
    const test::VitShape shape{.image = 8, .patch = 4, .channels = 1, .dim = 16, .layers = 2, .heads = 4, .hidden = 32, .labels = 3};
    const test::VitWeights w = test::randomVit(shape, {.qkvBias = false, .finalNorm = false, .headHidden = 12}, 5);
    const QString model = dir.filePath("vit.safetensors");
    test::writeTensors(model, test::lucidrainsTensors(w, {1, 2, 0}, layout == "h 3 d"));
    test::writeFile(sidecar, "{\"tensor_names\": \"lucidrains\", \"image_size\": 8, \"patch_size\": 4, "
                             "\"num_channels\": 1, \"hidden_size\": 16, \"num_hidden_layers\": 2, "
                             "\"num_attention_heads\": 4, \"intermediate_size\": 32, \"num_labels\": 3, "
                             "\"classifier_hidden_size\": 12, \"layer_norm_eps\": 1e-5, \"qkv_bias\": false, "
                             "\"qkv_layout\": \"" + layout.toUtf8() + "\", \"patch_flatten\": \"p1 p2 c\", "
                             "\"final_norm\": false, \"image_mean\": [0.5], \"image_std\": [0.5]}");
    return loadModel(*openCheckpoint(model.toStdString()), torch::kCPU, {sidecar.toStdString()});
}

torch::Tensor logits(const Model &model)
{
    torch::manual_seed(1);
    const auto &vision = static_cast<const VisionModel &>(model);
    const ImageFormat &f = vision.imageFormat();
    const torch::Tensor bytes = torch::randint(0, 256, {4, f.channels, f.size, f.size}, torch::kUInt8).contiguous();
    torch::NoGradGuard noGrad;
    return model.forward(ModelInput::ofPixels(vision.pixels(bytes.data_ptr<uint8_t>(), size_t(bytes.numel()), 4))).logits;
}

// The fused q/k/v sites, one per block.
std::vector<LinearSite> fusedSites(Model &model)
{
    std::set<std::string> fused;
    for (const AttentionSite &site : model.attentionSites())
        if (site.inputs.size() == 1)
            fused.insert(site.inputs.front());
    std::vector<LinearSite> sites;
    for (const LinearSite &site : model.linearSites())
        if (fused.count(site.name))
            sites.push_back(site);
    return sites;
}

// The rows of q (role 0), k (1) or v (2) in a fused projection, worked out here from the layout
// rather than taken from the runtime: "3 h d" holds all of q, then k, then v; "h 3 d" each
// head's q, k and v in turn.
torch::Tensor expectedRows(const QString &layout, int64_t heads, int64_t headDim, int64_t role)
{
    std::vector<int64_t> rows;
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < headDim; ++i)
            rows.push_back(layout == "h 3 d" ? (h * 3 + role) * headDim + i : (role * heads + h) * headDim + i);
    return torch::tensor(rows, torch::kInt64);
}

// LoRA on q and v, as adapt and heads attach it (r 8, α 16), A drawn from seed 0.
void attachQv(Model &model)
{
    torch::manual_seed(0);
    attachAdapters(model, AdapterSpec{});
}

const LoraAdapter &loraOn(const LinearSite &site, size_t i)
{
    return dynamic_cast<const LoraAdapter &>(*site.linear->adapters().at(i));
}

// Every B drawn at random, so the adapters change the output.
void randomiseB(Model &model)
{
    torch::manual_seed(2);
    torch::NoGradGuard noGrad;
    for (const LinearSite &site : fusedSites(model))
        for (const auto &adapter : site.linear->adapters())
            torch::Tensor(dynamic_cast<const LoraAdapter &>(*adapter).b()).normal_(0, 0.5);
}

float maxDifference(const torch::Tensor &a, const torch::Tensor &b) { return (a - b).abs().max().item<float>(); }

void layouts()
{
    QTest::addColumn<QString>("which");
    QTest::addColumn<QString>("layout");
    QTest::newRow("tiny, 3 h d") << "tiny" << "3 h d";
    QTest::newRow("tiny, h 3 d") << "tiny" << "h 3 d";
    QTest::newRow("vit_mnist_tiny") << "vit_mnist_tiny" << "3 h d";
}

// The row's model as `model`, with `layout` and a temporary `dir`; skips without ../shared.
#define FUSED_VIT(model)                                                                                 \
    QFETCH(QString, which);                                                                              \
    QFETCH(QString, layout);                                                                             \
    QTemporaryDir dir;                                                                                   \
    const auto model = fusedVit(which, layout, dir);                                                     \
    if (!model)                                                                                          \
        QSKIP(qPrintable(QStringLiteral("../shared/models/") + kMnistTiny + " is absent; skipping"));

} // namespace

class TestFusedAdapters : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aNewLoraChangesNothing_data() { layouts(); }
    void aNewLoraChangesNothing()
    {
        FUSED_VIT(model);
        const torch::Tensor before = logits(*model);
        attachQv(*model);
        const std::vector<LinearSite> sites = fusedSites(*model);
        QVERIFY(!sites.empty());
        for (const LinearSite &site : sites) {
            QCOMPARE(site.linear->adapters().size(), size_t(2));
            QCOMPARE(loraOn(site, 0).part()->name, std::string("q"));
            QCOMPARE(loraOn(site, 1).part()->name, std::string("v"));
        }
        QVERIFY(torch::equal(logits(*model), before));
    }

    // Against the weight with (α/r)·B·A added to each role's rows, built here from A and B.
    void aTrainedLoraComputesItsWeight_data() { layouts(); }
    void aTrainedLoraComputesItsWeight()
    {
        FUSED_VIT(model);
        const torch::Tensor base = logits(*model);
        attachQv(*model);
        randomiseB(*model);
        const torch::Tensor adapted = logits(*model);
        QVERIFY(maxDifference(adapted, base) > 1e-3);
        const AttentionSite attention = model->attentionSites().front();
        torch::NoGradGuard noGrad;
        for (const LinearSite &site : fusedSites(*model)) {
            torch::Tensor weight = site.linear->weight().clone();
            for (size_t i = 0; i < 2; ++i) {
                const LoraAdapter &lora = loraOn(site, i);
                const torch::Tensor rows = expectedRows(layout, attention.heads, attention.headDim, i == 0 ? 0 : 2);
                weight.index_add_(0, rows, torch::matmul(lora.b(), lora.a()) * (lora.alpha() / double(lora.rank())));
            }
            site.linear->detachAdapters();
            site.linear->setDenseWeight(weight);
        }
        const float worst = maxDifference(adapted, logits(*model));
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
    }

    // ΔW, what merging and HEAT's weight score add: nonzero in every q and v row, zero in k's.
    void deltaFillsOnlyTheRolesRows_data() { layouts(); }
    void deltaFillsOnlyTheRolesRows()
    {
        FUSED_VIT(model);
        attachQv(*model);
        randomiseB(*model);
        const AttentionSite attention = model->attentionSites().front();
        for (const LinearSite &site : fusedSites(*model))
            for (size_t i = 0; i < 2; ++i) {
                const torch::Tensor delta = loraOn(site, i).delta().detach();
                QCOMPARE(delta.sizes().vec(), site.linear->weight().sizes().vec());
                const torch::Tensor rows = expectedRows(layout, attention.heads, attention.headDim, i == 0 ? 0 : 2);
                torch::Tensor outside = torch::ones({delta.size(0)}, torch::kBool);
                outside.index_fill_(0, rows, false);
                QVERIFY(delta.index_select(0, rows).abs().amax(1).gt(0).all().item<bool>());
                QVERIFY(delta.index({outside}).eq(0).all().item<bool>());
            }
    }

    void mergingKeepsTheOutput_data() { layouts(); }
    void mergingKeepsTheOutput()
    {
        FUSED_VIT(model);
        attachQv(*model);
        randomiseB(*model);
        const torch::Tensor unmerged = logits(*model);
        QCOMPARE(mergeAdapters(*model), 2 * fusedSites(*model).size());
        for (const LinearSite &site : fusedSites(*model))
            QVERIFY(site.linear->adapters().empty());
        const float worst = maxDifference(unmerged, logits(*model));
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
    }

    // PEFT stores LoRA per whole module: a folder would be read back as something else.
    void aPeftFolderIsRefused_data() { layouts(); }
    void aPeftFolderIsRefused()
    {
        FUSED_VIT(model);
        attachQv(*model);
        const std::string folder = dir.filePath("peft").toStdString();
        try {
            writePeft(*model, folder, "base");
            QFAIL("a LoRA on part of a fused projection was written as PEFT");
        } catch (const std::invalid_argument &e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("to_qkv holds LoRA on its q rows only"), qPrintable(message));
            QVERIFY(!message.contains('\n'));
        }
        QVERIFY(!QFileInfo::exists(QString::fromStdString(folder)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, checkPeftWritable(*model));
    }

    // A and B of q and v in every block: 2 · layers · r · (in + rows), rows a third of the
    // fused outputs. Each has a name of its own, and a loss reaches every one.
    void theAdaptersTrainWhatTheirShapesSay_data() { layouts(); }
    void theAdaptersTrainWhatTheirShapesSay()
    {
        FUSED_VIT(model);
        AdapterSpec spec;
        spec.rank = 4;
        const std::vector<torch::Tensor> trainable = attachAdapters(*model, spec);
        const std::vector<LinearSite> sites = fusedSites(*model);
        const int64_t layers = int64_t(sites.size()), in = sites.front().linear->inFeatures(),
                      rows = sites.front().linear->outFeatures() / 3;
        int64_t count = 0;
        for (const torch::Tensor &t : trainable)
            count += t.numel();
        QCOMPARE(count, 2 * layers * spec.rank * (in + rows));

        std::set<std::string> names;
        for (const auto &[name, t] : model->parameters())
            QVERIFY2(names.insert(name).second, name.c_str());
        QVERIFY(names.count(sites.front().name + ".lora_B.v.weight"));

        randomiseB(*model);
        for (const torch::Tensor &t : trainable)
            torch::Tensor(t).requires_grad_(true);
        const auto &vision = static_cast<const VisionModel &>(*model);
        const int64_t size = vision.imageFormat().size;
        const torch::Tensor pixels = torch::randn({2, vision.imageFormat().channels, size, size});
        model->forward(ModelInput::ofPixels(pixels)).logits.square().sum().backward();
        for (const torch::Tensor &t : trainable)
            QVERIFY(t.grad().defined() && t.grad().abs().sum().item<float>() > 0);
    }

    // Lily on q and v of a fused projection: a Lily per role on that role's rows, each role's
    // experts shared by every block; new, it changes nothing; trained, each adds to its own
    // rows only; its size is exact, its routers are named by role, and it has no PEFT form.
    void lilyAdaptsEachRolesRows_data() { layouts(); }
    void lilyAdaptsEachRolesRows()
    {
        FUSED_VIT(model);
        const torch::Tensor before = logits(*model);
        torch::manual_seed(0);
        const LilySpec spec{4, 3, 8, {"q", "v"}};
        const std::vector<torch::Tensor> trainable = attachLily(*model, spec);
        QCOMPARE(maxDifference(logits(*model), before), 0.0f);

        const std::vector<LinearSite> sites = fusedSites(*model);
        const int64_t layers = int64_t(sites.size()), in = sites.front().linear->inFeatures(),
                      rows = sites.front().linear->outFeatures() / 3;
        int64_t count = 0;
        for (const torch::Tensor &t : trainable)
            count += t.numel();
        QCOMPARE(count, 2 * spec.experts * rows * spec.rank + 2 * layers * (spec.rank * in + spec.experts * spec.rank));

        const AttentionSite attention = model->attentionSites().front();
        torch::manual_seed(2);
        const torch::Tensor x = torch::randn({5, in});
        for (const auto &adapter : sites.front().linear->adapters()) {
            const auto &lily = dynamic_cast<const LilyAdapter &>(*adapter);
            torch::NoGradGuard noGrad;
            torch::Tensor(lily.experts()->hp).normal_(0, 0.5);
            const torch::Tensor added = lily(x);
            const torch::Tensor own = expectedRows(layout, attention.heads, attention.headDim, lily.partName() == "q" ? 0 : 2);
            torch::Tensor outside = torch::ones({sites.front().linear->outFeatures()}, torch::kBool);
            outside.index_put_({own}, false);
            QCOMPARE(added.index({torch::indexing::Slice(), outside}).abs().max().item<float>(), 0.0f);
            QVERIFY(added.index({torch::indexing::Slice(), own}).abs().min().item<float>() > 0);
        }
        QVERIFY(maxDifference(logits(*model), before) > 1e-4f);
        const auto &vision = static_cast<const VisionModel &>(*model);
        const int64_t size = vision.imageFormat().size;
        const ExpertRouting routing =
            expertRouting(*model, {torch::randn({2, vision.imageFormat().channels, size, size}), torch::zeros({2}, torch::kInt64)});
        QCOMPARE(routing.rows.front(), std::string("0 q"));
        QCOMPARE(routing.rows.at(1), std::string("0 v"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, checkPeftWritable(*model));
    }
};

QTEST_GUILESS_MAIN(TestFusedAdapters)
#include "test_fused_adapters.moc"
