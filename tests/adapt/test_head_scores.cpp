// HEAT's head scores and adapter fine-tuning on the bundled ViT and Fashion-MNIST training
// images (Debian's dataset-fashion-mnist): the Taylor scores are the derivatives they claim to
// be (checked by finite differences), masking closes exactly the heads a ranking lets go, and
// fine-tuning trains only what it is given.

#include "adapt/adapters.h"
#include "adapt/fine_tune.h"
#include "adapt/head_scoring.h"
#include "builtin_passes.h"
#include "data/idx.h"
#include "io/formats.h"
#include "runtime/model_family.h"

#include <QtTest>

#include <torch/torch.h>

#include <map>

using namespace sculpt;

namespace {

const std::string kVit = SCULPT_MODELS_DIR "/fashion-vit";
const std::string kImages = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
const std::string kLabels = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz";

std::unique_ptr<Model> load() { return loadModel(*openCheckpoint(kVit), torch::kCPU); }

// Images first … first + count of Fashion-MNIST's training set, for `model`.
LabelledImages fashion(const Model &model, int64_t first, int64_t count)
{
    static const IdxImages all = readIdxImages(kImages);
    static const std::vector<uint8_t> labels = readIdxLabels(kLabels);
    IdxImages some;
    some.count = count;
    some.rows = all.rows;
    some.cols = all.cols;
    const auto area = size_t(all.rows * all.cols);
    some.pixels.assign(all.pixels.begin() + long(size_t(first) * area), all.pixels.begin() + long(size_t(first + count) * area));
    return labelledImages(static_cast<const VisionModel &>(model), some,
                          std::span(labels).subspan(size_t(first), size_t(count)));
}

// The summed cross-entropy on `data`, in float64 for the differences.
double loss(Model &model, const LabelledImages &data)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor logits = model.forward(ModelInput::ofPixels(data.pixels)).logits.to(torch::kFloat64);
    return torch::nn::functional::cross_entropy(logits, data.labels,
                                                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
        .item<double>();
}

HeadScores score(const std::string &strategy, Model &model, const LabelledImages &data)
{
    const HeadScoreStrategy *s = findHeadScoreStrategy(strategy);
    if (!s)
        throw std::runtime_error("no strategy " + strategy);
    return s->score(model, data, 0, {});
}

// A few heads spread over the model.
const std::pair<int64_t, int64_t> kProbes[] = {{0, 0}, {1, 1}, {2, 0}, {3, 1}};

} // namespace

class TestHeadScores : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        registerBuiltinPasses();
        if (!QFileInfo::exists(QString::fromStdString(kImages)))
            QFAIL("Debian's dataset-fashion-mnist is not installed (packaging/setup.sh installs it)");
    }

    void theStrategiesAreRegistered()
    {
        for (const char *name : {"weights", "activations", "gate", "magnitude", "random"})
            QVERIFY2(findHeadScoreStrategy(name), name);
    }

    // |∂L/∂ξ_h| against a central difference of the loss in head h's gate.
    void gateScoresAreTheGatesDerivative()
    {
        const auto model = load();
        const LabelledImages data = fashion(*model, 0, 32);
        const HeadScores scores = score("gate", *model, data);
        QCOMPARE(scores.layers, int64_t(model->attentionSites().size()));
        for (const auto &[layer, head] : kProbes) {
            const AttentionSite site = model->attentionSites()[size_t(layer)];
            constexpr double kStep = 1e-2;
            *site.gate = torch::ones({site.heads});
            (*site.gate)[head] = 1 + kStep;
            const double up = loss(*model, data);
            (*site.gate)[head] = 1 - kStep;
            const double down = loss(*model, data);
            *site.gate = torch::Tensor();
            const double expected = std::abs(up - down) / (2 * kStep);
            QVERIFY2(std::abs(scores.at(layer, head) - expected) < 0.02 * expected + 1e-3,
                     qPrintable(QString("layer %1 head %2: %3 vs %4").arg(layer).arg(head).arg(scores.at(layer, head)).arg(expected)));
        }
        QVERIFY(!model->attentionSites()[0].gate->defined()); // left as found
    }

    // Σ θ·∂L/∂θ over a head's tensors is the derivative of the loss as they scale by (1 + t).
    void weightScoresAreTheScalingDerivative()
    {
        const auto model = load();
        const LabelledImages data = fashion(*model, 100, 32);
        const HeadScores scores = score("weights", *model, data);
        std::map<std::string, Linear *> byName;
        for (const LinearSite &s : model->linearSites())
            byName[s.name] = s.linear;
        for (const auto &[layer, head] : kProbes) {
            const AttentionSite site = model->attentionSites()[size_t(layer)];
            const std::vector<torch::Tensor> rows = headInputRows(site, head);
            const auto lossScaled = [&](double factor) {
                std::vector<std::pair<Linear *, Linear>> saved;
                for (size_t i = 0; i < site.inputs.size(); ++i) {
                    Linear *l = byName.at(site.inputs[i]);
                    saved.emplace_back(l, *l);
                    torch::Tensor w = l->weight().clone(), b = l->bias().clone();
                    w.index_copy_(0, rows[i], w.index_select(0, rows[i]) * factor);
                    b.index_copy_(0, rows[i], b.index_select(0, rows[i]) * factor);
                    *l = Linear::dense(w, b);
                }
                Linear *o = byName.at(site.output);
                saved.emplace_back(o, *o);
                const torch::Tensor c = headOutputColumns(site, head);
                torch::Tensor w = o->weight().clone();
                w.index_copy_(1, c, w.index_select(1, c) * factor);
                *o = Linear::dense(w, o->bias());
                const double value = loss(*model, data);
                for (auto &[l, before] : saved)
                    *l = before;
                return value;
            };
            constexpr double kStep = 1e-2;
            const double expected = std::abs(lossScaled(1 + kStep) - lossScaled(1 - kStep)) / (2 * kStep);
            QVERIFY2(std::abs(scores.at(layer, head) - expected) < 0.03 * expected + 1e-3,
                     qPrintable(QString("layer %1 head %2: %3 vs %4").arg(layer).arg(head).arg(scores.at(layer, head)).arg(expected)));
        }
        for (auto &[name, t] : model->parameters())
            QVERIFY2(!t.requires_grad(), name.c_str()); // the backbone is frozen again
    }

    // Per image and then summed, the activation score is at least the gate score of the same
    // images (|Σ x| ≤ Σ |x|), and larger for some head: the images disagree in sign.
    void activationScoresSumEachImagesMagnitude()
    {
        const auto model = load();
        const LabelledImages data = fashion(*model, 200, 64);
        const HeadScores gate = score("gate", *model, data), activations = score("activations", *model, data);
        bool larger = false;
        for (size_t i = 0; i < gate.values.size(); ++i) {
            QVERIFY(activations.values[i] >= gate.values[i] * (1 - 1e-4) - 1e-6);
            larger = larger || activations.values[i] > gate.values[i] * 1.05;
        }
        QVERIFY(larger);
    }

    void maskingClosesTheRankedHeads()
    {
        const auto model = load();
        const LabelledImages data = fashion(*model, 300, 32);
        const HeadScores scores = score("gate", *model, data);
        const std::vector<LayerHead> going = headsToMask(scores, 0.25, false);
        QCOMPARE(int64_t(going.size()), scores.layers * scores.heads / 4);
        maskHeads(*model, going);
        int64_t closed = 0;
        for (const AttentionSite &site : model->attentionSites())
            closed += site.gate->eq(0).sum().item<int64_t>();
        QCOMPARE(closed, int64_t(going.size()));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, maskHeads(*model, {{99, 0}}));
    }

    // LoRA and the classifier train; the backbone does not move; the loss falls.
    void fineTuningTrainsOnlyWhatItIsGiven()
    {
        torch::manual_seed(0);
        const auto model = load();
        std::map<std::string, torch::Tensor> before;
        for (auto &[name, t] : model->parameters())
            before[name] = t.clone();
        std::vector<torch::Tensor> trainable = attachAdapters(*model, AdapterSpec{});
        const std::vector<torch::Tensor> head = classifierTensors(*model);
        trainable.insert(trainable.end(), head.begin(), head.end());
        QCOMPARE(elementCount(adapterTensors(*model)) + elementCount(head), elementCount(trainable));
        const LabelledImages train = fashion(*model, 1000, 256), validate = fashion(*model, 2000, 128);
        FineTuneOptions options;
        options.epochs = 3;
        std::vector<EpochRecord> seen;
        const std::vector<EpochRecord> log =
            fineTune(static_cast<VisionModel &>(*model), trainable, train, validate, options,
                     [&](const EpochRecord &r) { seen.push_back(r); }, {});
        QCOMPARE(log.size(), size_t(3));
        QCOMPARE(seen.size(), size_t(3));
        QVERIFY2(log.back().trainLoss < log.front().trainLoss,
                 qPrintable(QString("%1 → %2").arg(log.front().trainLoss).arg(log.back().trainLoss)));
        QVERIFY(log.back().validationAccuracy > 0.5);
        const std::string classifier = model->linearSites().back().name;
        for (auto &[name, t] : model->parameters()) {
            const bool trained = name.find("lora_") != std::string::npos || name.rfind(classifier, 0) == 0;
            if (!before.count(name))
                continue; // an adapter, new
            QVERIFY2(torch::equal(t, before.at(name)) != trained, name.c_str());
            QVERIFY(!t.requires_grad());
        }
    }
};

QTEST_APPLESS_MAIN(TestHeadScores)
#include "test_head_scores.moc"
