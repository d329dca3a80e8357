// Calibration batches stacked for one optimisation step give the loss and the gradients that
// the batches give one at a time, on the bundled demo models: documents, images, and images
// with questions (fashion-llava); and on a tiny layout model trained here, noised pages, which
// are batched by panel count, each at steps spread over the schedule.

#include "compress/calibration.h"
#include "compress/pass.h"
#include "data/fashion_questions.h"
#include "data/idx.h"
#include "data/image_questions.h"
#include "io/formats.h"
#include "layout_pages.h"
#include "runtime/families/layout/panel_tokens.h"
#include "runtime/model_family.h"
#include "runtime/tokenizer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

using namespace sculpt;

namespace {

const std::string kLlama = SCULPT_MODELS_DIR "/fortunes-llama";
const std::string kVit = SCULPT_MODELS_DIR "/fashion-vit";
const std::string kLlava = SCULPT_MODELS_DIR "/fashion-llava";

std::shared_ptr<Model> load(const std::string &path) { return loadModel(*openCheckpoint(path), torch::kCPU); }

// Documents of different lengths, so that stacking pads.
CalibrationData fortunes()
{
    CalibrationData data;
    data.text = "A fool and his money are soon parted.\n\n"
                "He who laughs last thinks slowest, and the slowest thinker of all is the one who never laughs.\n\n"
                "Never trust a computer you cannot throw out a window.\n\n"
                "Time flies like an arrow; fruit flies like a banana.\n";
    data.tokenizer = openTokenizer(kLlama + "/tokenizer.model");
    data.count = 4;
    return data;
}

CalibrationData fashionImages(int64_t count)
{
    torch::manual_seed(3);
    auto images = std::make_shared<IdxImages>();
    images->count = count;
    images->rows = images->cols = 28;
    const torch::Tensor bytes = torch::randint(0, 256, {count * 28 * 28}, torch::kUInt8);
    images->pixels.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
    CalibrationData data;
    data.images = images;
    data.count = count;
    return data;
}

// Questions about random 28×28 images, written where `dir` says: their answers differ in length,
// so stacking pads.
CalibrationData fashionQuestions(const QTemporaryDir &dir)
{
    CalibrationData data = fashionImages(2);
    const std::vector<uint8_t> labels{9, 1};
    const std::string json = writeFashionQuestions(*data.images, labels, 0, 2, dir.filePath("set").toStdString());
    data.images.reset();
    data.questions = readImageQuestions(json);
    data.tokenizer = openTokenizer(kLlava + "/tokenizer.model");
    data.modelPath = kLlava;
    data.count = 6;
    return data;
}

// The distillation loss to a perturbed copy of the model, and its gradient with respect to one
// weight: for the batches one at a time (averaged) and for them stacked.
std::pair<double, torch::Tensor> separately(Model &student, const Calibration &c, const std::vector<torch::Tensor> &teacher,
                                            torch::Tensor &weight)
{
    double total = 0;
    for (size_t b = 0; b < c.batches.size(); ++b) {
        const torch::Tensor loss =
            c.distillationLoss(teacher[b], student.forward(c.batches[b].input).logits, c.batches[b]) / double(c.batches.size());
        loss.backward();
        total += loss.item<double>();
    }
    torch::Tensor gradient = weight.grad().clone();
    weight.mutable_grad().zero_();
    return {total, gradient};
}

std::pair<double, torch::Tensor> stacked(Model &student, const Calibration &c, const std::vector<torch::Tensor> &teacher,
                                         torch::Tensor &weight)
{
    std::vector<const CalibrationBatch *> all;
    for (const CalibrationBatch &b : c.batches)
        all.push_back(&b);
    const StackedBatches one(all);
    const torch::Tensor loss = c.distillationLoss(one.stack(teacher), student.forward(one.batch().input).logits, one.batch());
    loss.backward();
    torch::Tensor gradient = weight.grad().clone();
    weight.mutable_grad().zero_();
    return {loss.item<double>(), gradient};
}

void compareStackedWithSeparate(const std::string &path, const CalibrationData &data, size_t batches)
{
    const auto teacherModel = load(path), student = load(path);
    const Calibration c = makeCalibration(*teacherModel, data);
    QCOMPARE(c.batches.size(), batches);
    std::vector<torch::Tensor> teacher;
    {
        torch::NoGradGuard noGrad;
        for (const CalibrationBatch &b : c.batches)
            teacher.push_back(c.teacherTargets(teacherModel->forward(b.input).logits));
    }
    // Shift the student away from the teacher so that the loss and its gradient are not zero.
    const std::string first = blockSites(*student).front().name + ".weight";
    torch::Tensor weight;
    for (auto &[name, tensor] : student->parameters()) {
        torch::NoGradGuard noGrad;
        tensor.add_(torch::randn_like(tensor) * 0.05);
        if (name == first)
            weight = tensor;
    }
    QVERIFY(weight.defined());
    weight.requires_grad_(true);
    const auto [lossA, gradA] = separately(*student, c, teacher, weight);
    const auto [lossB, gradB] = stacked(*student, c, teacher, weight);
    QVERIFY(lossA > 1e-3);
    QVERIFY2(std::abs(lossA - lossB) < 1e-5 * lossA, qPrintable(QString("%1 vs %2").arg(lossA).arg(lossB)));
    const double scale = gradA.abs().max().item<double>();
    QVERIFY(scale > 0);
    QVERIFY((gradA - gradB).abs().max().item<double>() < 1e-4 * scale);
}

} // namespace

class TestCalibration : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string layoutModel_;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        layoutModel_ = dir_.filePath("layout").toStdString();
        LayoutTrainingOptions options = test::tinyLayoutOptions();
        options.steps = 30;
        trainLayoutModel(test::gridPages(24, 0), {}, options, layoutModel_);
    }

    void stackedDocumentsCountAsOneDocumentEach()
    {
        torch::manual_seed(0);
        compareStackedWithSeparate(kLlama, fortunes(), 4);
    }

    void stackedImageBatchesCountAsOneBatchEach()
    {
        torch::manual_seed(0);
        // Two full batches: each image counts equally either way.
        compareStackedWithSeparate(kVit, fashionImages(2 * Calibration::kImagesPerBatch), 2);
    }

    void stackedImageQuestionsCountAsOneQuestionEach()
    {
        torch::manual_seed(0);
        QTemporaryDir dir;
        compareStackedWithSeparate(kLlava, fashionQuestions(dir), 6);
    }

    // Pages of two panels and of four, as many panel tokens of each: padding the two-panel
    // pages to four tokens in the stack changes nothing any panel computes.
    void stackedNoisedPagesCountAsOnePanelEach()
    {
        torch::manual_seed(0);
        CalibrationData data;
        std::vector<Page> pages(8, test::gridPage(2, 1.4));
        pages.insert(pages.end(), 4, test::gridPage(4, 1.5));
        data.pages = std::make_shared<const std::vector<Page>>(pages);
        data.count = 12;
        compareStackedWithSeparate(layoutModel_, data, 2);
    }

    // The first pages the model reads (one without panels and one with too many are passed
    // over), each at kCalibrationNoiseLevels steps, one in each stretch of the schedule, in
    // batches of one panel count — no padding; the noise is the label, and taking it back out
    // of the boxes gives the page's panels; the same every time.
    void noisedPagesCalibrateWithoutPadding()
    {
        const auto model = load(layoutModel_);
        const LayoutConfig &config = static_cast<const LayoutModel &>(*model).layoutConfig();
        std::vector<Page> pages{Page{}, test::gridPage(13, 1.4)};
        const std::vector<Page> grid = test::gridPages(20, 0); // 1 … 12 panels, then 1 … 8
        pages.insert(pages.end(), grid.begin(), grid.end());
        CalibrationData data;
        data.pages = std::make_shared<const std::vector<Page>>(pages);
        data.count = 15; // 1 … 12 panels, then 1, 2, 3
        const Calibration c = makeCalibration(*model, data), again = makeCalibration(*model, data);
        QCOMPARE(c.batches.size(), size_t(12));
        const int64_t levels = kCalibrationNoiseLevels;
        const std::vector<double> alphas = cumulativeAlphas(config);
        for (size_t b = 0; b < c.batches.size(); ++b) {
            const ModelInput &in = c.batches[b].input;
            const int64_t panels = in.boxes.size(1);
            QCOMPARE(panels, int64_t(b + 1));
            QVERIFY(in.panels.all().item<bool>());
            QCOMPARE(in.boxes.size(0), (panels <= 3 ? 2 : 1) * levels);
            QCOMPARE(c.batches[b].labels.sizes(), in.boxes.sizes());
            QVERIFY(torch::equal(in.boxes, again.batches[b].input.boxes));
            QVERIFY(torch::equal(in.timesteps, again.batches[b].input.timesteps));
            // The first page with this many panels is grid page `panels - 1`.
            const Page &page = grid[size_t(panels - 1)];
            QCOMPARE(in.aspect[0].item<float>(), float(page.height / page.width));
            const std::vector<PanelToken> tokens = panelTokens(page);
            for (int64_t r = 0; r < levels; ++r) {
                const int64_t t = in.timesteps[r].item<int64_t>();
                // floor of a point in [r T / levels, (r + 1) T / levels)
                QVERIFY2((t + 1) * levels > r * config.timesteps && t * levels < (r + 1) * config.timesteps,
                         qPrintable(QString::number(t)));
                const double a = alphas[size_t(t)];
                if (a < 0.1)
                    continue; // too little of the page is left to take back out reliably
                const torch::Tensor clean = (in.boxes[r] - std::sqrt(1 - a) * c.batches[b].labels[r]) / std::sqrt(a);
                for (int64_t p = 0; p < panels; ++p) {
                    const PanelToken &k = tokens[size_t(p)];
                    const double expected[] = {k.cx, k.cy, k.w, k.h};
                    for (int64_t f = 0; f < 4; ++f)
                        QVERIFY(std::abs(clean[p][f].item<double>() - (2 * expected[f] - 1)) < 1e-4);
                }
            }
        }
        data.count = 0; // still one page at least, as for documents and images
        QCOMPARE(makeCalibration(*model, data).batches.size(), size_t(1));
        data.pages = std::make_shared<const std::vector<Page>>(std::vector<Page>{Page{}});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, makeCalibration(*model, data));
    }

    // Short documents share a row no longer than the longest; each keeps its tokens in order.
    void documentsPackIntoRows()
    {
        const auto model = load(kLlama);
        const Calibration c = makeCalibration(*model, fortunes());
        std::vector<const CalibrationBatch *> all;
        int64_t longest = 0, total = 0;
        for (const CalibrationBatch &b : c.batches) {
            all.push_back(&b);
            longest = std::max(longest, b.input.tokens.size(1));
            total += b.input.tokens.size(1);
        }
        const StackedBatches one(all);
        const ModelInput &input = one.batch().input;
        QCOMPARE(input.tokens.size(1), longest);
        QVERIFY(input.tokens.size(0) < int64_t(c.batches.size()));
        QCOMPARE(input.documents.ge(0).sum().item<int64_t>(), total);
        for (size_t b = 0; b < c.batches.size(); ++b) {
            const torch::Tensor at = input.documents.eq(int64_t(b));
            QVERIFY(torch::equal(input.tokens.masked_select(at), c.batches[b].input.tokens[0]));
        }
    }
};

QTEST_APPLESS_MAIN(TestCalibration)
#include "test_calibration.moc"
