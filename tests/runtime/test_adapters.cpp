// Adapters on the bundled ViT: new ones change nothing (their up-projections start at zero),
// trained LoRA equals its merged weight, gradients reach the adapters and not the frozen
// backbone, and a per-image head gate gates each image on its own.

#include "demo_vit.h"

#include <QtTest>

#include <torch/torch.h>

#include <map>

using namespace sculpt;

namespace {

float maxDifference(const torch::Tensor &a, const torch::Tensor &b) { return (a - b).abs().max().item<float>(); }

// LoRA of rank 4 on every q and v site; the adapters, by site name.
std::map<std::string, std::shared_ptr<LoraAdapter>> addLora(Model &model)
{
    std::map<std::string, std::shared_ptr<LoraAdapter>> added;
    for (const LinearSite &site : model.linearSites())
        if (site.role == "q" || site.role == "v") {
            auto lora = std::make_shared<LoraAdapter>(site.linear->inFeatures(), site.linear->outFeatures(), 4, 8.0,
                                                      torch::Device(torch::kCPU));
            site.linear->attach(lora);
            added[site.name] = lora;
        }
    return added;
}

} // namespace

class TestAdapters : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void newAdaptersChangeNothing()
    {
        torch::NoGradGuard noGrad;
        torch::manual_seed(0);
        const auto model = test::loadDemoVit();
        const torch::Tensor pixels = test::randomPixels(*model, 4);
        const torch::Tensor before = model->forward(ModelInput::ofPixels(pixels)).logits;
        QCOMPARE(addLora(*model).size(), size_t(2 * 4));
        for (const MlpSite &site : model->mlpSites())
            site.adapters->push_back(std::make_shared<BottleneckAdapter>(site.dim, 8, 0.1, torch::Device(torch::kCPU)));
        QCOMPARE(maxDifference(model->forward(ModelInput::ofPixels(pixels)).logits, before), 0.0f);
    }

    void adaptersNameTheirTensorsAsPeftDoes()
    {
        const auto model = test::loadDemoVit();
        addLora(*model);
        const std::vector<MlpSite> blocks = model->mlpSites();
        QCOMPARE(blocks.size(), size_t(4));
        QCOMPARE(blocks[2].name, std::string("vit.encoder.layer.2.adapter"));
        blocks[2].adapters->push_back(std::make_shared<BottleneckAdapter>(blocks[2].dim, 8, 0.1, torch::Device(torch::kCPU)));
        std::map<std::string, std::vector<int64_t>> shapes;
        for (const auto &[name, t] : model->parameters())
            shapes[name] = t.sizes().vec();
        const std::string q = "vit.encoder.layer.1.attention.attention.query";
        const int64_t dim = blocks[0].dim;
        QCOMPARE(shapes.at(q + ".lora_A.weight"), (std::vector<int64_t>{4, dim}));
        QCOMPARE(shapes.at(q + ".lora_B.weight"), (std::vector<int64_t>{dim, 4}));
        QCOMPARE(shapes.at("vit.encoder.layer.2.adapter.up.weight"), (std::vector<int64_t>{dim, 8}));
        QVERIFY(!shapes.count("vit.encoder.layer.1.attention.attention.key.lora_A.weight"));
    }

    // Trained LoRA is the weight W + (α/r)·B·A.
    void loraEqualsItsMergedWeight()
    {
        torch::NoGradGuard noGrad;
        torch::manual_seed(0);
        const auto adapted = test::loadDemoVit(), merged = test::loadDemoVit();
        const auto added = addLora(*adapted);
        for (const auto &[name, lora] : added) {
            torch::Tensor b = lora->b(); // a handle on the adapter's own tensor
            b.normal_(0, 0.05);
        }
        for (const LinearSite &site : merged->linearSites())
            if (const auto it = added.find(site.name); it != added.end())
                *site.linear = Linear::dense(site.linear->weight() + it->second->delta(), site.linear->bias());
        const torch::Tensor pixels = test::randomPixels(*adapted, 3);
        const torch::Tensor a = adapted->forward(ModelInput::ofPixels(pixels)).logits;
        const torch::Tensor b = merged->forward(ModelInput::ofPixels(pixels)).logits;
        QVERIFY(maxDifference(a, test::loadDemoVit()->forward(ModelInput::ofPixels(pixels)).logits) > 1e-3f); // they changed it
        QVERIFY2(maxDifference(a, b) < 1e-4f, qPrintable(QString::number(maxDifference(a, b))));
    }

    void gradientsReachOnlyTheAdapters()
    {
        torch::manual_seed(0);
        const auto model = test::loadDemoVit();
        const auto added = addLora(*model);
        for (const auto &[name, lora] : added)
            for (auto &[suffix, t] : lora->parameters())
                t.requires_grad_(true);
        const torch::Tensor logits = model->forward(ModelInput::ofPixels(test::randomPixels(*model, 2))).logits;
        torch::nn::functional::cross_entropy(logits, torch::tensor({int64_t(3), int64_t(7)})).backward();
        for (const auto &[name, lora] : added) {
            QVERIFY(lora->b().grad().defined());
            QVERIFY(lora->b().grad().abs().sum().item<float>() > 0); // B gets a gradient at once; A waits for B
        }
        for (const auto &[name, t] : model->parameters())
            if (name.find("lora_") == std::string::npos)
                QVERIFY2(!t.grad().defined(), name.c_str());
    }

    // A [B, heads] gate closes heads for one image of a batch and leaves the others alone.
    void perImageGatesGateEachImage()
    {
        torch::NoGradGuard noGrad;
        const auto model = test::loadDemoVit();
        const torch::Tensor pixels = test::randomPixels(*model, 2);
        AttentionSite site = model->attentionSites()[1];
        const torch::Tensor open = model->forward(ModelInput::ofPixels(pixels)).logits;
        *site.gate = torch::ones({site.heads});
        (*site.gate)[0] = 0;
        const torch::Tensor closed = model->forward(ModelInput::ofPixels(pixels)).logits;
        *site.gate = torch::ones({2, site.heads});
        (*site.gate)[1][0] = 0;
        const torch::Tensor mixed = model->forward(ModelInput::ofPixels(pixels)).logits;
        QVERIFY(maxDifference(open[1], closed[1]) > 1e-4f);
        QVERIFY(maxDifference(mixed[0], open[0]) < 1e-6f);
        QVERIFY(maxDifference(mixed[1], closed[1]) < 1e-6f);
    }
};

QTEST_APPLESS_MAIN(TestAdapters)
#include "test_adapters.moc"
