// Calibration batches stacked for one optimisation step give the loss and the gradients that
// the batches give one at a time, on the bundled demo models: documents, images, and images
// with questions (fashion-llava).

#include "compress/calibration.h"
#include "compress/pass.h"
#include "data/fashion_questions.h"
#include "data/idx.h"
#include "data/image_questions.h"
#include "io/formats.h"
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
            distillation(teacher[b], student.forward(c.batches[b].input).logits) / double(c.batches.size());
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
    const ModelInput &input = one.batch().input;
    const torch::Tensor loss = distillation(one.stack(teacher), student.forward(input).logits, input.documents);
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
            teacher.push_back(teacherModel->forward(b.input).logits.log_softmax(-1));
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
private Q_SLOTS:
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
