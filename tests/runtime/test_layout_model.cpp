// The layout model end to end on synthetic pages (rows of panels, read right to left): it
// learns, generates exactly the panels asked for inside the page, deterministically per seed,
// the same after saving and loading, with its padding hidden; svd compresses it into a folder
// that loads and generates, and so do the passes that calibrate on noised pages; what it cannot
// do is refused in one line.

#include "builtin_passes.h"
#include "layout_pages.h"
#include "compress/calibration.h"
#include "compress/compressed_model.h"
#include "compress/pass.h"
#include "io/formats.h"
#include "model/inventory.h"
#include "runtime/layout_generator.h"
#include "runtime/layout_training.h"
#include "runtime/model_family.h"
#include "session/layout_generation.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <map>

using namespace sculpt;
using namespace sculpt::test;

namespace {

const std::string kVit = SCULPT_MODELS_DIR "/fashion-vit";

std::vector<double> coordinates(const Page &page)
{
    std::vector<double> all;
    for (const Panel &p : page.panels)
        all.insert(all.end(), {p.box.x0, p.box.y0, p.box.x1, p.box.y1});
    return all;
}

void requireInside(const Page &page, int64_t panels, double aspect)
{
    QCOMPARE(int64_t(page.panels.size()), panels);
    QCOMPARE(page.width, 1.0);
    QCOMPARE(page.height, aspect);
    for (const Panel &p : page.panels) {
        QVERIFY(0 <= p.box.x0 && p.box.x0 <= p.box.x1 && p.box.x1 <= 1);
        QVERIFY(0 <= p.box.y0 && p.box.y0 <= p.box.y1 && p.box.y1 <= aspect);
    }
}

} // namespace

class TestLayoutModel : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string folder_;
    LayoutTrainingResult trained_;

private Q_SLOTS:
    void initTestCase()
    {
        registerBuiltinPasses();
        QVERIFY(dir_.isValid());
        folder_ = dir_.filePath("layout").toStdString();
        // Pages without panels and with too many are skipped, not trained on.
        std::vector<Page> train = gridPages(240, 0);
        train.push_back(Page{0, {}, 800, 1200, false, {}, {}, {}});
        train.push_back(gridPage(12, 1.4));
        train.back().panels.push_back(train.back().panels.front());
        trained_ = trainLayoutModel(train, gridPages(24, 5), tinyLayoutOptions(), folder_);
    }

    void trainingLearns()
    {
        QCOMPARE(trained_.trainPages, int64_t(240));
        QCOMPARE(trained_.testPages, int64_t(24));
        QCOMPARE(trained_.skippedPages, int64_t(2));
        QCOMPARE(trained_.loss.size(), size_t(4));
        QCOMPARE(trained_.loss.back().first, int64_t(400));
        // Predicting no noise at all scores 1: the model starts there (adaLN-Zero) and must fall well below.
        QVERIFY2(trained_.loss.back().second < 0.7 * trained_.loss.front().second,
                 qPrintable(QString("loss %1 → %2").arg(trained_.loss.front().second).arg(trained_.loss.back().second)));
        QVERIFY(trained_.testLoss > 0 && trained_.testLoss < trained_.loss.front().second);
        QCOMPARE(trained_.samples.size(), size_t(12));
    }

    void generatesExactlyThePanelsAskedForInsideThePage()
    {
        const auto generator = LayoutGenerator::load(*openCheckpoint(folder_));
        QCOMPARE(generator->maxPanels(), int64_t(12));
        for (int64_t n = 1; n <= 12; ++n)
            requireInside(generator->generate({n, 1.45, 10}, 7), n, 1.45);
    }

    void aSeedIsAnExactLayout()
    {
        const auto generator = LayoutGenerator::load(*openCheckpoint(folder_));
        const LayoutRequest request{6, 1.5, 20};
        const std::vector<double> first = coordinates(generator->generate(request, 3));
        QCOMPARE(coordinates(generator->generate(request, 3)), first);
        QVERIFY(coordinates(generator->generate(request, 4)) != first);
    }

    // What the trained model generated, the saved folder generates: the same weights, read back.
    void theSavedFolderGeneratesAsTrained()
    {
        const auto generator = LayoutGenerator::load(*openCheckpoint(folder_));
        for (const LayoutSample &s : trained_.samples) {
            const std::vector<double> again = coordinates(generator->generate(s.request, s.seed)), before = coordinates(s.page);
            QCOMPARE(again.size(), before.size());
            for (size_t i = 0; i < again.size(); ++i)
                QVERIFY(std::abs(again[i] - before[i]) < 1e-5);
        }
    }

    // A panel attends to panels only: whatever a padding token holds, the panels' predictions stay.
    void paddingIsHidden()
    {
        torch::NoGradGuard noGrad;
        const auto model = loadModel(*openCheckpoint(folder_), torch::kCPU);
        QCOMPARE(model->kind(), ModelKind::Layout);
        torch::manual_seed(5);
        const torch::Tensor boxes = torch::randn({2, 12, 4});
        const torch::Tensor panels = torch::arange(12).lt(torch::tensor(std::vector<int64_t>{5, 9}).unsqueeze(1));
        const torch::Tensor t = torch::tensor(std::vector<int64_t>{10, 70}), aspect = torch::tensor(std::vector<float>{1.4f, 1.5f});
        const torch::Tensor before = model->forward(ModelInput::ofLayouts(boxes, panels, t, aspect)).logits;
        const torch::Tensor changed = torch::where(panels.unsqueeze(2), boxes, boxes * 5 + 3);
        const torch::Tensor after = model->forward(ModelInput::ofLayouts(changed, panels, t, aspect)).logits;
        QVERIFY(torch::equal(before.masked_select(panels.unsqueeze(2)), after.masked_select(panels.unsqueeze(2))));
        // …and the panel count it is told does matter.
        const torch::Tensor fewer = torch::arange(12).lt(torch::tensor(std::vector<int64_t>{4, 9}).unsqueeze(1));
        const torch::Tensor other = model->forward(ModelInput::ofLayouts(boxes, fewer, t, aspect)).logits;
        QVERIFY(!torch::allclose(before[0].narrow(0, 0, 4), other[0].narrow(0, 0, 4)));
    }

    void badRequestsAreRefused()
    {
        const auto generator = LayoutGenerator::load(*openCheckpoint(folder_));
        for (const LayoutRequest &r : {LayoutRequest{0, 1.4, 10}, LayoutRequest{13, 1.4, 10}, LayoutRequest{3, 1.4, 0},
                                       LayoutRequest{3, 1.4, 101}, LayoutRequest{3, 0, 10}, LayoutRequest{3, NAN, 10}})
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, generator->generate(r, 0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, LayoutGenerator::load(*openCheckpoint(kVit)));
        LayoutTrainingOptions o = tinyLayoutOptions();
        o.steps = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, trainLayoutModel(gridPages(4, 0), {}, o, folder_ + "-none"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 trainLayoutModel({Page{0, {}, 800, 1200, false, {}, {}, {}}}, {}, tinyLayoutOptions(), folder_ + "-none"));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(folder_ + "-none")));
    }

    // The inventory sees blocks with attention, MLP and adaLN modulation, outside them the
    // embeddings and the head.
    void theInventoryNamesItsParts()
    {
        const ModelInventory inventory = buildInventory(*openCheckpoint(folder_));
        QCOMPARE(inventory.architecture, Architecture::Layout);
        QCOMPARE(inventory.blocks(), (std::vector<int>{0, 1}));
        const auto role = [&](const std::string &name) {
            const auto w = std::ranges::find(inventory.weights, name, &Weight::name);
            return w == inventory.weights.end() ? std::string("absent") : std::string(roleName(w->role));
        };
        QCOMPARE(role("blocks.1.adaLN_modulation.weight"), std::string("modulation"));
        QCOMPARE(role("blocks.0.attn.q_proj.weight"), std::string("q"));
        QCOMPARE(role("blocks.0.attn.o_proj.weight"), std::string("o"));
        QCOMPARE(role("blocks.0.mlp.fc2.weight"), std::string("fc2"));
        QCOMPARE(role("embeddings.slot"), std::string("embed"));
        QCOMPARE(role("head.adaLN_modulation.weight"), std::string("modulation"));
        QCOMPARE(role("head.proj.weight"), std::string("head"));
    }

    // svd takes a layout model; its export loads and generates.
    void svdCompressesIt()
    {
        const auto checkpoint = openCheckpoint(folder_);
        CompressionRequest request;
        request.ratio = 0.4;
        const auto compressed = std::make_shared<const CompressedModel>(runPass(*findPass("svd"), *checkpoint, {}, request));
        QVERIFY(compressed->summary().ratio > 0.3);
        QVERIFY(!compressed->languageModel() && !compressed->imageClassifier());
        const LayoutGenerator &inMemory = *compressed->layoutGenerator();
        const LayoutRequest r{5, 1.4, 10};
        requireInside(inMemory.generate(r, 2), 5, 1.4);

        const std::string exported = dir_.filePath("svd").toStdString();
        compressed->write(exported, ExportFormat::Factorized);
        const auto reloaded = LayoutGenerator::load(*openCheckpoint(exported));
        const std::vector<double> a = coordinates(inMemory.generate(r, 2)), b = coordinates(reloaded->generate(r, 2));
        for (size_t i = 0; i < a.size(); ++i)
            QVERIFY(std::abs(a[i] - b[i]) < 1e-4);

        // The window's face: the pass's model in memory beside the original, the same seeds.
        const LoadedLayoutModel original = loadLayoutModel({"original", folder_, nullptr});
        const LoadedLayoutModel svd = loadLayoutModel({"svd", folder_, compressed});
        long reported = 0;
        const JobContext job([&](const Progress &p) { reported = p.done; }, nullptr);
        const std::vector<GeneratedLayout> left = generateLayouts(original, {5, 1.4, 10, {0, 1, 2}}, job);
        const std::vector<GeneratedLayout> right = generateLayouts(svd, {5, 1.4, 10, {0, 1, 2}}, job);
        QCOMPARE(reported, 3L);
        QCOMPARE(right.size(), size_t(3));
        QCOMPARE(coordinates(right[2].page), coordinates(inMemory.generate(r, 2)));
        QVERIFY(coordinates(left[0].page) != coordinates(right[0].page));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, generateLayouts(svd, {5, 1.4, 10, {}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, loadLayoutModel({"vit", kVit, nullptr}));
    }

    // The data-aware passes calibrate on pages noised as training noises them: each compresses
    // the model to the ratio asked for into a folder that generates, and SVD-LLM, which fits
    // every site to its inputs on those pages, keeps the predicted noise on other pages closer
    // to the original's than plain SVD does.
    void dataAwarePassesCalibrateOnNoisedPages()
    {
        const auto checkpoint = openCheckpoint(folder_);
        const auto original = loadModel(*checkpoint, torch::kCPU);
        CalibrationData other;
        other.pages = std::make_shared<const std::vector<Page>>(gridPages(24, 2));
        other.count = 24;
        const Calibration measured = makeCalibration(*original, other);
        std::vector<torch::Tensor> teacher;
        for (const CalibrationBatch &b : measured.batches)
            teacher.push_back(measured.teacherTargets(original->forward(b.input).logits).detach());

        std::map<std::string, double> gap;
        for (const char *method : {"svd", "svd-llm", "asvd", "fwsvd", "soco"}) {
            CompressionRequest request;
            request.ratio = 0.4;
            request.calibration.pages = std::make_shared<const std::vector<Page>>(gridPages(48, 7));
            if (std::string(method) == "soco")
                request.settings = {{"coarse_steps", 30}, {"refine_steps", 15}, {"sparsify_steps", 15}};
            const CompressedModel compressed = runPass(*findPass(method), *checkpoint, {}, request);
            QVERIFY2(compressed.summary().ratio > 0.3, method);
            const std::string exported = dir_.filePath(method).toStdString();
            compressed.write(exported, ExportFormat::Factorized);
            requireInside(LayoutGenerator::load(*openCheckpoint(exported))->generate({4, 1.5, 10}, 1), 4, 1.5);
            const auto student = loadModel(*openCheckpoint(exported), torch::kCPU);
            torch::NoGradGuard noGrad; // only here: the passes learn by gradients
            double sum = 0;
            for (size_t b = 0; b < measured.batches.size(); ++b)
                sum += measured.distillationLoss(teacher[b], student->forward(measured.batches[b].input).logits,
                                                 measured.batches[b]).item<double>();
            gap[method] = sum / double(measured.batches.size());
            qInfo("%s: noise MSE to the original %.5f", method, gap[method]);
        }
        try {
            runPass(*findPass("svd-llm"), *checkpoint, {}, CompressionRequest{});
            QFAIL("svd-llm without pages");
        } catch (const std::invalid_argument &e) {
            QCOMPARE(std::string(e.what()), std::string("svd-llm needs calibration layouts (--calib FILE|FOLDER)"));
        }
        QVERIFY2(gap["svd-llm"] < gap["svd"], qPrintable(QString("svd-llm %1, svd %2").arg(gap["svd-llm"]).arg(gap["svd"])));
    }

    void cancelledTrainingWritesNothing()
    {
        std::atomic<bool> cancel = true;
        const std::string folder = dir_.filePath("cancelled").toStdString();
        QVERIFY_THROWS_EXCEPTION(Cancelled, trainLayoutModel(gridPages(24, 0), {}, tinyLayoutOptions(), folder, JobContext({}, &cancel)));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(folder)));
    }
};

QTEST_GUILESS_MAIN(TestLayoutModel)
#include "test_layout_model.moc"
