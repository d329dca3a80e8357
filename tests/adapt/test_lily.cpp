// Lily on the bundled ViT: new adapters change nothing (the experts start at zero), the
// router's weights are a softmax over the experts for every token, the parameter count is
// exactly the shared experts plus each layer's projector and router, one expert equals LoRA
// with one B shared by all layers, and a router that prefers an expert gives that expert's
// update: routing decides what a layer adds. Its folder (peft_type LILY) holds each role's
// experts once and reopens to the very same model, a pruned Lily kept frozen and a shared one
// with it; a broken one is refused naming the file.

#include "adapt/expert_routing.h"
#include "adapt/peft.h"
#include "demo_vit.h"
#include "io/error.h"
#include "io/formats.h"
#include "lily/lily_adapter.h"
#include "lily/lily_kind.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <torch/torch.h>

#include <fstream>
#include <set>

using namespace sculpt;

namespace {

torch::Tensor logits(Model &model, const torch::Tensor &pixels)
{
    torch::NoGradGuard noGrad;
    return model.forward(ModelInput::ofPixels(pixels)).logits;
}

float maxDifference(const torch::Tensor &a, const torch::Tensor &b) { return (a - b).abs().max().item<float>(); }

// The Lily adapters of the model's q and v sites, in site order.
std::vector<std::shared_ptr<LilyAdapter>> lilies(Model &model)
{
    std::vector<std::shared_ptr<LilyAdapter>> found;
    for (const LinearSite &site : model.linearSites())
        for (const auto &adapter : site.linear->adapters())
            if (auto lily = std::dynamic_pointer_cast<LilyAdapter>(adapter))
                found.push_back(lily);
    return found;
}

// Replaces every Lily adapter by LoRA with A = its LP and B = `b(lily)`, same α.
void asLora(Model &model, const std::function<torch::Tensor(const LilyAdapter &)> &b, double alpha)
{
    for (const LinearSite &site : model.linearSites()) {
        std::vector<std::shared_ptr<Adapter>> kept;
        for (const auto &adapter : site.linear->adapters())
            if (auto lily = std::dynamic_pointer_cast<LilyAdapter>(adapter))
                kept.push_back(std::make_shared<LoraAdapter>(lily->lp().clone(), b(*lily).clone(), alpha));
        if (kept.empty())
            continue;
        site.linear->detachAdapters();
        for (auto &adapter : kept)
            site.linear->attach(adapter);
    }
}

// A Lily model that looks trained (experts and routers drawn at random, seed 5), with layer 1's
// q adapter pruned and kept frozen and served by layer 0's q at scale 0.5, as Pear leaves it.
std::unique_ptr<Model> trainedLily()
{
    auto model = test::loadDemoVit();
    torch::manual_seed(5);
    attachLily(*model, {4, 3, 8, {"q", "v"}});
    torch::NoGradGuard noGrad;
    for (const auto &lily : lilies(*model)) {
        lily->experts()->hp.normal_(0, 0.3);
        torch::Tensor(lily->router()).normal_(0, 1);
    }
    std::vector<LinearSite> q;
    for (const LinearSite &site : model->linearSites())
        if (site.role == "q" && site.layer >= 0)
            q.push_back(site);
    const std::shared_ptr<Adapter> pruned = q[1].linear->adapters().front(), serving = q[0].linear->adapters().front();
    q[1].linear->detachAdapters();
    q[1].linear->attach(std::make_shared<FrozenAdapter>(pruned));
    q[1].linear->attach(std::make_shared<SharedAdapter>(serving, torch::full({}, 0.5)));
    return model;
}

nlohmann::json readJson(const QString &path)
{
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in);
}

void writeJson(const QString &path, const nlohmann::json &value) { std::ofstream(path.toStdString()) << value.dump(2); }

} // namespace

class TestLily : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { registerLilyAdapter(); }

    void aNewLilyChangesNothing()
    {
        const auto model = test::loadDemoVit();
        const torch::Tensor pixels = test::randomPixels(*model, 4);
        const torch::Tensor before = logits(*model, pixels);
        torch::manual_seed(0);
        attachLily(*model, {4, 3, 8, {"q", "v"}});
        QCOMPARE(lilies(*model).size(), size_t(8));
        QCOMPARE(maxDifference(logits(*model, pixels), before), 0.0f);
    }

    void theRouterWeighsExpertsBySoftmax()
    {
        const auto model = test::loadDemoVit();
        torch::manual_seed(0);
        attachLily(*model, {4, 5, 8, {"q"}});
        const auto lily = lilies(*model).front();
        const torch::Tensor x = torch::randn({2, 17, 64});
        const torch::Tensor w = lily->routerWeights(x);
        QCOMPARE(w.sizes().vec(), (std::vector<int64_t>{2, 17, 5}));
        QVERIFY(w.min().item<float>() > 0);
        QVERIFY(torch::allclose(w.sum(-1), torch::ones({2, 17}), 1e-6, 1e-6));
        // Tokens differ, so their weights do: the router reads each token.
        QVERIFY(maxDifference(w[0][0], w[0][1]) > 1e-4f);
    }

    // Per role, experts × out × r once; per layer, LP [r, in] and the router [experts, r].
    void theParameterCountIsExact()
    {
        const auto model = test::loadDemoVit();
        const LilySpec spec{8, 4, 16, {"q", "v"}};
        const std::vector<torch::Tensor> added = attachLily(*model, spec);
        int64_t expected = 0;
        std::set<std::string> roles;
        for (const LinearSite &site : model->linearSites()) {
            if (site.layer < 0 || (site.role != "q" && site.role != "v"))
                continue;
            if (roles.insert(site.role).second)
                expected += spec.experts * site.linear->outFeatures() * spec.rank;
            expected += spec.rank * site.linear->inFeatures() + spec.experts * spec.rank;
        }
        int64_t counted = 0;
        std::set<const void *> distinct;
        for (const torch::Tensor &t : added) {
            counted += t.numel();
            distinct.insert(t.unsafeGetTensorImpl());
        }
        QCOMPARE(counted, expected);
        QCOMPARE(counted, int64_t(2 * 4 * 64 * 8 + 8 * (8 * 64 + 4 * 8)));
        QCOMPARE(distinct.size(), added.size()); // each shared expert tensor once
        const auto all = lilies(*model);
        QCOMPARE(all[0]->experts().get(), all[2]->experts().get()); // layers 0 and 1's q
        QVERIFY(all[0]->experts().get() != all[1]->experts().get()); // q and v
    }

    void oneExpertIsLoraWithASharedB()
    {
        const auto model = test::loadDemoVit();
        const torch::Tensor pixels = test::randomPixels(*model, 4);
        torch::manual_seed(0);
        attachLily(*model, {4, 1, 8, {"q", "v"}});
        for (const auto &lily : lilies(*model))
            lily->experts()->hp.normal_(0, 0.5);
        const torch::Tensor withLily = logits(*model, pixels);
        asLora(*model, [](const LilyAdapter &lily) { return lily.experts()->hp[0]; }, 8);
        const torch::Tensor withLora = logits(*model, pixels);
        QVERIFY(maxDifference(withLily, logits(*test::loadDemoVit(), pixels)) > 1e-2f); // the experts do something
        QVERIFY2(maxDifference(withLily, withLora) < 1e-5f, qPrintable(QString::number(maxDifference(withLily, withLora))));
    }

    // Each token's update is its own softmax mix of the experts' updates (computed here token
    // by token), and which expert a router row points at matters: swapping two router rows
    // changes the update, swapping the experts along with them does not.
    // expertRouting: a zero router weighs every expert alike (1/E exactly); a router that
    // favours expert 0 shows as such in its own layer's row only.
    void theRoutingMapShowsEachRouter()
    {
        const auto model = test::loadDemoVit();
        torch::manual_seed(1);
        attachLily(*model, {4, 4, 8, {"q", "v"}});
        const auto all = lilies(*model);
        QCOMPARE(all.size(), size_t(8));
        torch::NoGradGuard noGrad;
        for (const auto &lily : all)
            torch::Tensor(lily->router()).zero_();
        torch::Tensor(all[5]->router()).select(0, 0).fill_(50); // layer 2 v: expert 0 takes what LP·x leans to
        const LabelledImages data = test::randomLabelledImages(*model, 20);
        const ExpertRouting routing = expertRouting(*model, data);
        QCOMPARE(routing.rows, (std::vector<std::string>{"0 q", "0 v", "1 q", "1 v", "2 q", "2 v", "3 q", "3 v"}));
        QCOMPARE(routing.experts, int64_t(4));
        checkExpertRouting(routing);
        for (size_t r = 0; r < 8; ++r)
            for (int64_t e = 0; e < 4; ++e)
                if (r != 5)
                    QCOMPARE(routing.at(r, e), 0.25);
        QVERIFY(std::abs(routing.at(5, 0) - 0.25) > 0.05);
        // Nothing stays hooked: another forward pass leaves the routing as it was computed.
        QCOMPARE(expertRouting(*model, data).weights, routing.weights);
    }

    void theRouterDecidesWhatALayerAdds()
    {
        torch::manual_seed(3);
        auto experts = std::make_shared<LilyExperts>();
        experts->hp = torch::randn({3, 6, 4});
        const LilyAdapter lily(torch::randn({4, 5}), torch::randn({3, 4}), 8, experts);
        const torch::Tensor x = torch::randn({7, 5});
        const torch::Tensor got = lily(x);
        for (int64_t t = 0; t < 7; ++t) {
            const torch::Tensor low = torch::mv(lily.lp(), x[t]);
            const torch::Tensor w = torch::softmax(torch::mv(lily.router(), low), 0);
            torch::Tensor want = torch::zeros({6});
            for (int64_t e = 0; e < 3; ++e)
                want += w[e] * torch::mv(experts->hp[e], low);
            QVERIFY(torch::allclose(got[t], want * 2.0, 1e-5, 1e-5)); // α/r = 8/4
        }
        const torch::Tensor swapped = lily.router().index_select(0, torch::tensor({1, 0, 2}));
        const LilyAdapter misrouted(lily.lp(), swapped, 8, experts);
        QVERIFY(maxDifference(misrouted(x), got) > 1e-3f);
        auto swappedExperts = std::make_shared<LilyExperts>();
        swappedExperts->hp = experts->hp.index_select(0, torch::tensor({1, 0, 2}));
        const LilyAdapter relabelled(lily.lp(), swapped, 8, swappedExperts);
        QVERIFY(maxDifference(relabelled(x), got) < 1e-5f);
    }

    // Written and read back, the model computes exactly what it did: every layer's LP and router,
    // each role's experts once (tied at the other layers, and shared again after reading), the
    // frozen adapter and the shared one with its scale, and the classifier. It cannot be merged.
    void aLilyFolderReopensToTheSameModel()
    {
        const auto model = trainedLily();
        const torch::Tensor pixels = test::randomPixels(*model, 4);
        const torch::Tensor before = logits(*model, pixels);
        QTemporaryDir dir;
        const QString folder = dir.filePath("lily");
        writePeft(*model, folder.toStdString(), SCULPT_MODELS_DIR "/fashion-vit");

        const nlohmann::json config = readJson(folder + "/adapter_config.json");
        QCOMPARE(config["peft_type"].get<std::string>(), std::string("LILY"));
        QCOMPARE(config["r"].get<int>(), 4);
        QCOMPARE(config["sculpt_tied"].size(), size_t(6)); // layers 1–3's q and v experts
        QCOMPARE(config["sculpt_shared"].size(), size_t(1));
        const auto stored = openCheckpoint((folder + "/adapter_model.safetensors").toStdString());
        int experts = 0;
        for (const TensorInfo &t : stored->tensors())
            experts += QString::fromStdString(t.name).endsWith("lily_hp.weight");
        QCOMPARE(experts, 2);

        const auto fresh = test::loadDemoVit();
        QVERIFY(maxDifference(logits(*fresh, pixels), before) > 1e-3f);
        const PeftLoad load = attachPeft(*fresh, folder.toStdString());
        QCOMPARE(load.adaptedSites.size(), size_t(8));
        QCOMPARE(maxDifference(logits(*fresh, pixels), before), 0.0f);
        const auto read = lilies(*fresh);
        QCOMPARE(read[0]->experts().get(), read[2]->experts().get()); // q's experts, one tensor again
        QVERIFY(read[0]->experts().get() != read[1]->experts().get());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, mergeAdapters(*fresh));
    }

    // A broken Lily folder is refused naming the file and the reason; the model is unchanged.
    void aBrokenLilyFolderIsRefused_data()
    {
        QTest::addColumn<QString>("broken");
        QTest::addColumn<QString>("reason");
        QTest::newRow("tie to nothing") << "tie" << "which the file does not hold";
        QTest::newRow("rank") << "rank" << "lily_lp.weight is [4, 64], not [r, in] = [5, 64]";
        QTest::newRow("unknown kind") << "kind" << "peft_type is 'LOHA': only LORA, LILY adapters are read";
    }
    void aBrokenLilyFolderIsRefused()
    {
        QFETCH(QString, broken);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString folder = dir.filePath("lily");
        writePeft(*trainedLily(), folder.toStdString(), SCULPT_MODELS_DIR "/fashion-vit");
        nlohmann::json config = readJson(folder + "/adapter_config.json");
        if (broken == "tie")
            config["sculpt_tied"].begin().value() = "vit.encoder.layer.9.attention.attention.query.lily_hp.weight";
        else if (broken == "rank")
            config["r"] = 5, config["rank_pattern"] = nlohmann::json::object();
        else
            config["peft_type"] = "LOHA";
        writeJson(folder + "/adapter_config.json", config);
        const auto model = test::loadDemoVit();
        const torch::Tensor pixels = test::randomPixels(*model, 2);
        const torch::Tensor before = logits(*model, pixels);
        try {
            attachPeft(*model, folder.toStdString());
            QFAIL("a broken folder was read");
        } catch (const FileError &e) {
            QVERIFY2(QString(e.what()).contains(reason), e.what());
        }
        QCOMPARE(maxDifference(logits(*model, pixels), before), 0.0f);
    }
};

QTEST_MAIN(TestLily)
#include "test_lily.moc"
