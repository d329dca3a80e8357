// Pear's prune-and-share on the bundled ViT with trained-like LoRA on q and v: the weakest
// ⌊p·N⌋ adapters go; the depth rule and the output rule pick what they say; the knowledge
// checkpoint keeps a pruned adapter frozen in place (the pruned model computes what the full one
// did); sharing makes a kept adapter learn from the positions it serves; what trains shrinks by
// the pruned adapters, plus one scale each, and without the checkpoint what is stored too.

#include "adapt/adapters.h"
#include "demo_vit.h"
#include "pear/pear_sharing.h"

#include <QtTest>

#include <torch/torch.h>

using namespace sculpt;

namespace {

torch::Tensor logits(Model &model, const LabelledImages &data)
{
    torch::NoGradGuard noGrad;
    return model.forward(ModelInput::ofPixels(data.pixels)).logits;
}

float maxDifference(const torch::Tensor &a, const torch::Tensor &b) { return (a - b).abs().max().item<float>(); }

// The demo with drawn LoRA on q and v: positions run layer 0 q, layer 0 v, layer 1 q … layer 3 v.
std::unique_ptr<Model> adaptedModel()
{
    auto model = test::loadDemoVit();
    test::attachDrawnLora(*model);
    return model;
}

// Scores that prune exactly the positions given (score 0), the others 1 + index.
std::vector<AdapterScore> pruning(Model &model, const std::vector<size_t> &weak)
{
    std::vector<AdapterScore> scores;
    for (const AdapterPosition &p : adapterPositions(model))
        scores.push_back({p, double(scores.size() + 1)});
    for (size_t i : weak)
        scores[i].score = 0;
    return scores;
}

LoraAdapter &loraAt(Model &model, size_t position)
{
    size_t k = 0;
    for (const LinearSite &site : model.linearSites())
        for (const auto &adapter : site.linear->adapters())
            if (k++ == position)
                return dynamic_cast<LoraAdapter &>(*adapter);
    throw std::out_of_range("no such position");
}

std::vector<SharedAdapter *> sharedAdapters(Model &model)
{
    std::vector<SharedAdapter *> found;
    for (const LinearSite &site : model.linearSites())
        for (const auto &adapter : site.linear->adapters())
            if (auto *shared = dynamic_cast<SharedAdapter *>(adapter.get()))
                found.push_back(shared);
    return found;
}

size_t frozenAdapters(Model &model)
{
    size_t n = 0;
    for (const LinearSite &site : model.linearSites())
        for (const auto &adapter : site.linear->adapters())
            n += dynamic_cast<FrozenAdapter *>(adapter.get()) != nullptr;
    return n;
}

} // namespace

class TestPear : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theWeakestGo()
    {
        std::vector<AdapterScore> scores(5);
        const double values[] = {5, 1, 3, 1, 4};
        for (size_t i = 0; i < 5; ++i)
            scores[i].score = values[i];
        QCOMPARE(weakestAdapters(scores, 0.4), (std::vector<bool>{false, true, false, true, false}));
        QCOMPARE(weakestAdapters(scores, 0.2), (std::vector<bool>{false, false, false, true, false})); // the later of a tie
        QCOMPARE(weakestAdapters(scores, 0), std::vector<bool>(5, false));
        QCOMPARE(weakestAdapters(scores, 1), std::vector<bool>(5, true));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, weakestAdapters(scores, 1.5));
    }

    // Nearest block first, then the same role: layer 1's q takes layer 1's v; with both of
    // layer 3's gone, its v takes layer 2's v and its q layer 2's q.
    void theDepthRulePicksTheNearest()
    {
        const auto model = adaptedModel();
        const LabelledImages none;
        const PearPlan plan = planPear(*model, pruning(*model, {2, 6, 7}), 3.0 / 8, ShareRule::Depth, none, {});
        QCOMPARE(plan.pruned, (std::vector<bool>{false, false, true, false, false, false, true, true}));
        QCOMPARE(plan.servedBy, (std::vector<int64_t>{-1, -1, 3, -1, -1, -1, 4, 5}));
    }

    // A kept adapter identical to the pruned one gives the same output on its inputs: the
    // output rule picks it though three blocks away; the depth rule would not.
    void theOutputRulePicksTheClosestOutput()
    {
        const auto model = adaptedModel();
        {
            torch::NoGradGuard noGrad;
            loraAt(*model, 7).a().copy_(loraAt(*model, 0).a());
            loraAt(*model, 7).b().copy_(loraAt(*model, 0).b());
        }
        const LabelledImages calibration = test::randomLabelledImages(*model, 16);
        const auto scores = pruning(*model, {0});
        QCOMPARE(planPear(*model, scores, 1.0 / 8, ShareRule::Output, calibration, {}).servedBy[0], int64_t(7));
        QCOMPARE(planPear(*model, scores, 1.0 / 8, ShareRule::Depth, calibration, {}).servedBy[0], int64_t(1));
    }

    // With the checkpoint, a pruned LoRA stays in place, frozen, and the shared adapters
    // enter silent (scale 0): the pruned model computes the full model's logits. Without it,
    // they enter at scale 1, and silenced the pruned model is the full one without those adapters.
    void theCheckpointKeepsWhatThePrunedLearned()
    {
        const auto full = adaptedModel();
        const LabelledImages data = test::randomLabelledImages(*full, 8);
        const torch::Tensor before = logits(*full, data);
        for (const bool checkpoint : {true, false}) {
            const auto model = adaptedModel();
            const PearPlan plan = planPear(*model, pruning(*model, {1, 4, 6}), 3.0 / 8, ShareRule::Depth, data, {});
            const std::vector<torch::Tensor> scales = applyPear(*model, plan, checkpoint, /*share=*/true);
            QCOMPARE(scales.size(), size_t(3));
            QCOMPARE(sharedAdapters(*model).size(), size_t(3));
            for (const torch::Tensor &s : scales)
                QCOMPARE(s.item<double>(), checkpoint ? 0.0 : 1.0);
            for (const torch::Tensor &s : scales)
                s.fill_(1.0);
            const torch::Tensor shared = logits(*model, data);
            for (const torch::Tensor &s : scales)
                s.zero_();
            const torch::Tensor silenced = logits(*model, data);
            QVERIFY(maxDifference(shared, silenced) > 1e-3f); // the shared adapters do serve
            const auto stripped = adaptedModel(); // the full model without the pruned adapters
            std::vector<std::shared_ptr<Adapter>> keep;
            size_t k = 0;
            for (const LinearSite &site : stripped->linearSites()) {
                if (site.linear->adapters().empty())
                    continue;
                const auto adapters = site.linear->adapters();
                site.linear->detachAdapters();
                for (const auto &adapter : adapters)
                    if (!plan.pruned[k++])
                        site.linear->attach(adapter);
            }
            const torch::Tensor expected = checkpoint ? before : logits(*stripped, data);
            QVERIFY2(maxDifference(silenced, expected) < 1e-5f, qPrintable(QString::number(maxDifference(silenced, expected))));
            if (checkpoint)
                QVERIFY(maxDifference(logits(*stripped, data), before) > 1e-3f); // the checkpoint did something
        }
    }

    // Position 6 (layer 3 q) is served by position 7 (layer 3 v): the loss there reaches 7's B.
    void aSharedAdapterLearnsWhereItServes()
    {
        const auto model = adaptedModel();
        const LabelledImages data = test::randomLabelledImages(*model, 8);
        const PearPlan plan = planPear(*model, pruning(*model, {6}), 1.0 / 8, ShareRule::Depth, data, {});
        QCOMPARE(plan.servedBy[6], int64_t(7));
        const std::vector<torch::Tensor> scales = applyPear(*model, plan, /*knowledgeCheckpoint=*/false, true);
        const auto gradient = [&](double scale) {
            scales[0].fill_(scale);
            torch::Tensor b = loraAt(*model, 7).b();
            b.requires_grad_(true);
            b.mutable_grad() = torch::Tensor();
            torch::nn::functional::cross_entropy(model->forward(ModelInput::ofPixels(data.pixels)).logits, data.labels)
                .backward();
            torch::Tensor g = b.grad().clone();
            b.requires_grad_(false).mutable_grad() = torch::Tensor();
            return g;
        };
        QCOMPARE(sharedAdapters(*model)[0]->adapter().get(), static_cast<Adapter *>(&loraAt(*model, 7)));
        QVERIFY(maxDifference(gradient(1.0), gradient(0.0)) > 1e-6f);
    }

    // Without the checkpoint what is stored shrinks by the pruned adapters, plus one scale each;
    // with it, they stay stored (frozen), and only what trains shrinks.
    void whatIsStoredAndTrainedShrinks()
    {
        constexpr int64_t kLora = 4 * 64 + 64 * 4;
        const LabelledImages none;
        for (const bool checkpoint : {false, true}) {
            const auto model = adaptedModel();
            QCOMPARE(elementCount(storedAdapterTensors(*model)), 8 * kLora);
            applyPear(*model, planPear(*model, pruning(*model, {0, 3, 5, 6}), 0.5, ShareRule::Depth, none, {}),
                      checkpoint, true);
            QCOMPARE(elementCount(adapterTensors(*model)), 4 * kLora + 4);
            QCOMPARE(elementCount(storedAdapterTensors(*model)), (checkpoint ? 8 : 4) * kLora + 4);
            QCOMPARE(frozenAdapters(*model), checkpoint ? size_t(4) : size_t(0));
        }
    }
};

QTEST_MAIN(TestPear)
#include "test_pear.moc"
