// Pear's adapter importance on the bundled ViT with LoRA on q and v and a bottleneck beside
// every MLP: one score per adapter, where it sits; each score is the derivative of the summed
// loss along the adapter's own parameters, d/dt L(t·θ) at t = 1, checked against central
// finite differences; a fresh LoRA (B = 0) scores exactly 0; the model is left as found.

#include "demo_vit.h"
#include "adapt/adapter_importance.h"

#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

using namespace sculpt;

namespace {

double summedLoss(Model &model, const LabelledImages &data)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor logits = model.forward(ModelInput::ofPixels(data.pixels)).logits.to(torch::kFloat64);
    return torch::nn::functional::cross_entropy(logits, data.labels,
                                                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
        .item<double>();
}

// LoRA (r 4) on every q and v site, B drawn so it is trained-like; a bottleneck beside every
// MLP with its up-projection drawn; layer 3's v LoRA left fresh (B = 0).
std::unique_ptr<Model> adaptedModel()
{
    auto model = test::loadDemoVit();
    test::attachDrawnLora(*model, [](const LinearSite &site) { return site.layer == 3 && site.role == "v"; });
    torch::NoGradGuard noGrad;
    for (const MlpSite &site : model->mlpSites()) {
        auto bottleneck = std::make_shared<BottleneckAdapter>(site.dim, 8, 0.5, torch::Device(torch::kCPU));
        for (auto &[name, t] : bottleneck->parameters())
            if (name == "up.weight")
                t.normal_(0, 0.3);
        site.adapters->push_back(bottleneck);
    }
    return model;
}

} // namespace

class TestAdapterImportance : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneScorePerAdapterWhereItSits()
    {
        const auto model = adaptedModel();
        const std::vector<AdapterPosition> positions = adapterPositions(*model);
        QCOMPARE(positions.size(), size_t(8 + 4));
        QCOMPARE(positions[0].site, std::string("vit.encoder.layer.0.attention.attention.query"));
        QCOMPARE(positions[0].kind, std::string("lora"));
        QCOMPARE(positions[0].parameters, int64_t(4 * 64 + 64 * 4));
        QCOMPARE(positions[11].role, std::string("mlp"));
        QCOMPARE(positions[11].layer, int64_t(3));
        QCOMPARE(positions[11].kind, std::string("bottleneck"));
    }

    void scoresAreTheLossSlopeAlongEachAdapter()
    {
        const auto model = adaptedModel();
        const LabelledImages data = test::randomLabelledImages(*model, 96);
        const std::vector<AdapterScore> scores = adapterImportance(*model, data, {});
        QCOMPARE(scores.size(), size_t(12));
        for (const auto &[name, t] : model->parameters())
            QVERIFY2(!t.requires_grad() && !t.grad().defined(), name.c_str());

        // Scale one adapter's tensors by 1 ± ε: the central difference of the summed loss.
        constexpr double kEpsilon = 1e-2;
        size_t index = 0, checked = 0;
        const auto slope = [&](const std::shared_ptr<Adapter> &adapter) {
            std::vector<torch::Tensor> kept;
            for (auto &[name, t] : adapter->parameters())
                kept.push_back(t.clone());
            const auto scaled = [&](double factor) {
                size_t k = 0;
                for (auto &[name, t] : adapter->parameters())
                    t.copy_(kept[k++] * factor);
                return summedLoss(*model, data);
            };
            const double up = scaled(1 + kEpsilon), down = scaled(1 - kEpsilon);
            scaled(1);
            return std::abs(up - down) / (2 * kEpsilon);
        };
        const auto check = [&](const std::shared_ptr<Adapter> &adapter) {
            const double score = scores[index++].score;
            if (index == 8) { // layer 3's fresh v LoRA
                QCOMPARE(score, 0.0);
                return;
            }
            const double expected = slope(adapter);
            QVERIFY2(std::abs(score - expected) <= 0.03 * expected + 1e-3,
                     qPrintable(QString("adapter %1: %2 vs %3").arg(index - 1).arg(score).arg(expected)));
            ++checked;
        };
        for (const LinearSite &site : model->linearSites())
            for (const auto &adapter : site.linear->adapters())
                check(adapter);
        for (const MlpSite &site : model->mlpSites())
            for (const auto &adapter : *site.adapters)
                check(adapter);
        QCOMPARE(checked, size_t(11));
        // They differ: the score tells adapters apart.
        double low = INFINITY, high = 0;
        for (const AdapterScore &s : scores)
            if (s.score > 0)
                low = std::min(low, s.score), high = std::max(high, s.score);
        QVERIFY2(high > 2 * low, qPrintable(QString("%1 … %2").arg(low).arg(high)));
    }

    void aModelWithoutAdaptersIsRefused()
    {
        const auto model = test::loadDemoVit();
        const LabelledImages data = test::randomLabelledImages(*model, 96);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, adapterImportance(*model, data, {}));
    }
};

QTEST_MAIN(TestAdapterImportance)
#include "test_adapter_importance.moc"
