// The one model interface on the bundled demo models: the batched forward (with documents
// packed into rows) agrees with the one-document path, gating a head off is removing it, and
// the sites name what the checkpoint holds.

#include "io/formats.h"
#include "runtime/model_family.h"

#include <QtTest>

#include <torch/torch.h>

using namespace sculpt;

namespace {

const std::string kLlama = SCULPT_MODELS_DIR "/fortunes-llama";
const std::string kVit = SCULPT_MODELS_DIR "/fashion-vit";

std::unique_ptr<Model> load(const std::string &path) { return loadModel(*openCheckpoint(path), torch::kCPU); }

float maxDifference(const torch::Tensor &a, const torch::Tensor &b) { return (a - b).abs().max().item<float>(); }

torch::Tensor ids(std::initializer_list<int64_t> values) { return torch::tensor(std::vector<int64_t>(values)); }

// Images the ViT takes: random bytes, normalised as its config says.
torch::Tensor images(const VisionModel &model, int64_t count)
{
    torch::manual_seed(1);
    const ImageFormat &f = model.imageFormat();
    const torch::Tensor bytes = torch::randint(0, 256, {count, f.channels, f.size, f.size}, torch::kUInt8).contiguous();
    return model.pixels(bytes.data_ptr<uint8_t>(), size_t(bytes.numel()), count);
}

} // namespace

class TestModelCore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void familiesClaimTheDemoModels()
    {
        QCOMPARE(load(kLlama)->family(), std::string("llama"));
        QCOMPARE(load(kVit)->family(), std::string("vit"));
        QCOMPARE(*runnableKind(*openCheckpoint(kLlama)), ModelKind::Language);
        QCOMPARE(*runnableKind(*openCheckpoint(kVit)), ModelKind::Vision);
    }

    // Rows of several documents (and padding) give each document the logits it has alone.
    void packedRowsMatchOneDocumentAtATime()
    {
        torch::NoGradGuard noGrad;
        const auto model = load(kLlama);
        auto &causal = static_cast<CausalModel &>(*model);
        const torch::Tensor a = ids({1, 50, 60, 70, 80}), b = ids({1, 90, 100}), c = ids({1, 7, 8, 9, 10, 11, 12});
        ModelInput input;
        input.tokens = torch::stack({torch::cat({a, b, ids({0, 0, 0, 0})}), torch::cat({c, ids({1, 33, 44, 55, 0})})});
        input.documents = torch::stack({torch::cat({torch::full({5}, 0), torch::full({3}, 1), torch::full({4}, -1)}),
                                        torch::cat({torch::full({7}, 2), torch::full({4}, 3), torch::full({1}, -1)})})
                              .to(torch::kInt64);
        const torch::Tensor logits = model->forward(input).logits;
        QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{2, 12, causal.vocabSize()}));
        QVERIFY(maxDifference(logits[0].narrow(0, 0, 5), causal.step(a)) < 1e-5f);
        QVERIFY(maxDifference(logits[0].narrow(0, 5, 3), causal.step(b)) < 1e-5f);
        QVERIFY(maxDifference(logits[1].narrow(0, 0, 7), causal.step(c)) < 1e-5f);
        QVERIFY(maxDifference(logits[1].narrow(0, 7, 4), causal.step(ids({1, 33, 44, 55}))) < 1e-5f);
        // Without documents a row is one document.
        QVERIFY(maxDifference(model->forward(ModelInput::ofTokens(c.unsqueeze(0))).logits[0], causal.step(c)) < 1e-5f);
    }

    void batchedImagesMatchOneAtATime()
    {
        torch::NoGradGuard noGrad;
        const auto model = load(kVit);
        const torch::Tensor pixels = images(static_cast<VisionModel &>(*model), 5);
        const torch::Tensor all = model->forward(ModelInput::ofPixels(pixels)).logits;
        for (int64_t i = 0; i < 5; ++i)
            QVERIFY(maxDifference(all[i], model->forward(ModelInput::ofPixels(pixels.narrow(0, i, 1))).logits[0]) < 1e-5f);
    }

    // A gate of 0 on head h is the model without that head: its q, k, v rows and its o columns zeroed.
    void gatingAHeadOffRemovesIt_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("llama") << QString::fromStdString(kLlama);
        QTest::newRow("vit") << QString::fromStdString(kVit);
    }
    void gatingAHeadOffRemovesIt()
    {
        QFETCH(QString, path);
        torch::NoGradGuard noGrad;
        const auto gated = load(path.toStdString()), removed = load(path.toStdString());
        const auto input = [&](Model &m) {
            return m.kind() == ModelKind::Vision ? ModelInput::ofPixels(images(static_cast<VisionModel &>(m), 3))
                                                 : ModelInput::ofTokens(ids({1, 5, 9, 200, 17, 3}).unsqueeze(0));
        };
        const torch::Tensor before = gated->forward(input(*gated)).logits;
        constexpr int64_t kLayer = 1, kHead = 2;
        AttentionSite site = gated->attentionSites()[kLayer];
        *site.gate = torch::ones({site.heads});
        QVERIFY(maxDifference(gated->forward(input(*gated)).logits, before) == 0); // all open: unchanged
        (*site.gate)[kHead] = 0;

        std::map<std::string, Linear *> sites;
        for (const LinearSite &s : removed->linearSites())
            sites[s.name] = s.linear;
        const std::vector<torch::Tensor> rows = headInputRows(site, kHead);
        for (size_t i = 0; i < site.inputs.size(); ++i) {
            Linear &l = *sites.at(site.inputs[i]);
            torch::Tensor w = l.weight().clone();
            w.index_fill_(0, rows[i], 0);
            torch::Tensor b = l.bias().defined() ? l.bias().clone() : torch::Tensor();
            if (b.defined())
                b.index_fill_(0, rows[i], 0);
            l = Linear::dense(w, b.defined() ? std::optional(b) : std::nullopt);
        }
        Linear &o = *sites.at(site.output);
        torch::Tensor w = o.weight().clone();
        w.index_fill_(1, headOutputColumns(site, kHead), 0);
        o = Linear::dense(w, o.bias().defined() ? std::optional(o.bias()) : std::nullopt);

        const torch::Tensor off = gated->forward(input(*gated)).logits;
        QVERIFY(maxDifference(off, before) > 1e-4f); // the head mattered
        QVERIFY2(maxDifference(off, removed->forward(input(*removed)).logits) < 1e-5f,
                 qPrintable(QString::number(maxDifference(off, removed->forward(input(*removed)).logits))));
    }

    void sitesNameTheCheckpointsLayers()
    {
        const auto vit = load(kVit);
        const std::vector<LinearSite> sites = vit->linearSites();
        QCOMPARE(sites.front().name, std::string("vit.embeddings.patch_embeddings.projection"));
        QCOMPARE(sites.front().role, std::string("conv"));
        QCOMPARE(sites.front().linear->inFeatures(), int64_t(49)); // the 1×7×7 kernel as a matrix
        QCOMPARE(sites.back().role, std::string("head"));
        QCOMPARE(blockSites(*vit).size(), size_t(4 * 6)); // q, k, v, o, fc1, fc2 per block
        const auto llama = load(kLlama);
        QCOMPARE(blockSites(*llama).size(), size_t(4 * 7));
        QCOMPARE(llama->attentionSites()[3].output, std::string("model.layers.3.self_attn.o_proj"));
    }

    // What a family exports loads back as the same model.
    void checkpointTensorsRoundTrip()
    {
        torch::NoGradGuard noGrad;
        const auto vit = load(kVit);
        const auto checkpoint = openCheckpoint(kVit);
        for (const auto &[name, tensor] : vit->checkpointTensors(false)) {
            const TensorInfo *stored = checkpoint->find(name);
            QVERIFY2(stored, name.c_str());
            QCOMPARE(tensor.sizes().vec(), stored->shape);
        }
    }
};

QTEST_GUILESS_MAIN(TestModelCore)
#include "test_model_core.moc"
