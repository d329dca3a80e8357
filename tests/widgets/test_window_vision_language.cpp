// The Vision-language tab in the real window: a tiny random-weight LLaVA folder and its HiMix
// twin (tests/reference/llava_reference.py, the bundled fortunes tokenizer beside each) asked
// about generated PNGs with a LLaVA file of questions; each column's answers are what
// answerImageQuestion gives for its model, wrong ones marked as answersMatch says, GFLOPs
// shown; the run is kept in the workspace (with each column's answer accuracy among the
// evaluations) and shown again on reopening; Cancel stores nothing. Also an IDX set written
// here, the bundled demo fashion-llava on Fashion-MNIST's test questions and on coco_mini's
// photos and captions (skipped without ../shared), and a model that reads no images.

#include "../runtime/llama2c_reference.h"
#include "data/fashion_questions.h"
#include "data/idx.h"
#include "data/vision_language_images.h"
#include "compression_controller.h"
#include "compression_view.h"
#include "evaluation_table.h"
#include "io/formats.h"
#include "jobs_panel.h"
#include "main_window.h"
#include "runtime/image_answers.h"
#include "runtime/language_model.h"
#include "runtime/model_tokenizer.h"
#include "runtime/vision_prompt.h"
#include "test_settings.h"
#include "vision_language_controller.h"
#include "vision_language_view.h"
#include "window_driving.h"
#include "workspace/workspace.h"
#include "analysis/content_hash.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace sculpt;
using namespace sculpt::test;

namespace {

constexpr long kMaxTokens = 3; // the LLaVA's first answer then ends on a whole character
const QString kPrompt = QStringLiteral("What is it?");

// A reference LLaVA folder (HiMix when asked) with the fortunes tokenizer beside it.
QString makeModel(const QTemporaryDir &dir, const QString &name, bool himix)
{
    const QString model = dir.filePath(name);
    QDir(dir.path()).mkdir(name);
    QStringList args{"make", model, "old", "clip", "5"};
    if (himix)
        args << "himix";
    runReference(args << "vocab=1025");
    QFile::copy(SCULPT_MODELS_DIR "/fortunes-llama/tokenizer.model", model + "/tokenizer.model");
    return model;
}

// What the view should show: the model's own answer, as answerImageQuestion gives it.
struct Answerer {
    std::unique_ptr<Checkpoint> checkpoint;
    std::unique_ptr<LanguageModel> model;
    ModelTokenizer tokenizer;
    ImageProcessorConfig processor;

    explicit Answerer(const QString &path)
        : checkpoint(openCheckpoint(path.toStdString())), model(LanguageModel::load(*checkpoint)),
          tokenizer(openModelTokenizer(*checkpoint, {}, "")),
          processor(imageProcessorFor(path.toStdString(), model->imagePrompt().value()))
    {
    }
    std::string answer(const RgbImage &image, const QString &question, long maxTokens = kMaxTokens) const
    {
        return answerImageQuestion(*model, *tokenizer.tokenizer, processor, image, question.toStdString(), maxTokens).text;
    }
};

QString answerAt(const VisionLanguageView &view, int row, int model)
{
    const QTableWidgetItem *item = view.answers()->item(row, model + 1);
    return item ? item->data(VisionLanguageView::AnswerRole).toString() : QString();
}

int markAt(const VisionLanguageView &view, int row, int model)
{
    const QTableWidgetItem *item = view.answers()->item(row, model + 1);
    return item ? item->data(VisionLanguageView::CorrectRole).toInt() : -2;
}

// Starts the view's run and waits for its job.
BackgroundJob *runAndWait(MainWindow &window)
{
    VisionLanguageView *view = window.visionLanguageView();
    if (!view->runButton()->isEnabled())
        return nullptr;
    view->runButton()->click();
    BackgroundJob *job = window.jobsPanel()->jobs().constFirst();
    return job && job->title().startsWith("Ask") ? waitForEnd(job, 240000) : nullptr;
}

// photo<i>.png for each reference answer, and questions.json asking kPrompt about each.
QString writeQuestions(const QTemporaryDir &dir, const std::vector<std::string> &references)
{
    QJsonArray entries;
    for (size_t i = 0; i < references.size(); ++i) {
        const QString name = QString("photo%1.png").arg(i);
        if (!QFileInfo::exists(dir.filePath(name)))
            runReference({"image", dir.filePath(name), QString::number(i + 1)});
        entries.append(QJsonObject{
            {"image", name},
            {"conversations", QJsonArray{QJsonObject{{"from", "human"}, {"value", "<image>\n" + kPrompt}},
                                         QJsonObject{{"from", "gpt"}, {"value", QString::fromStdString(references[i])}}}}});
    }
    const QString questions = dir.filePath("questions.json");
    QFile file(questions);
    file.open(QIODevice::WriteOnly);
    file.write(QJsonDocument(entries).toJson());
    return questions;
}

std::vector<VisionLanguageRun> storedRuns(MainWindow &window, const QString &model)
{
    const auto checkpoint = openCheckpoint(model.toStdString());
    return Workspace::open(window.workspacePath(model).toStdString(), {checkpoint->path(), modelFingerprint(*checkpoint)})
        .visionLanguageRuns();
}

} // namespace

class TestWindowVisionLanguage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { test::isolateSettings(); }

    void answersSideBySideAndKeepsThem()
    {
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        const QString llava = makeModel(dir, "llava", false), himix = makeModel(dir, "llava-himix", true);
        const Answerer answerers[] = {Answerer(llava), Answerer(himix)};
        // Three photos; the first one's reference is what the LLaVA answers (right for it), the
        // others' an answer neither gives (wrong for both).
        std::vector<std::string> references(3, "a purple shoe");
        writeQuestions(dir, references);
        references[0] = answerers[0].answer(readRgbImage(dir.filePath("photo0.png").toStdString()), kPrompt);
        // JSON holds UTF-8 only: a random model's answer must be whole characters to be a reference.
        QVERIFY2(QString::fromStdString(references[0]).toStdString() == references[0],
                 qPrintable("not UTF-8: " + QByteArray::fromStdString(references[0]).toHex()));
        const QString questions = writeQuestions(dir, references);

        {
            MainWindow window;
            QVERIFY(showAndOpen(window, dir, llava));
            VisionLanguageView *view = window.visionLanguageView();
            QVERIFY(view->note().isEmpty());
            view->images()->setText(questions);
            view->count()->setValue(0); // all
            view->maxTokens()->setValue(int(kMaxTokens));
            view->chooseFolder(0, himix);
            BackgroundJob *job = runAndWait(window);
            QVERIFY(job);
            QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary()));
            QCOMPARE(view->answers()->rowCount(), 3);
            QCOMPARE(view->answers()->columnCount(), 3);
            for (int i = 0; i < 3; ++i) {
                const RgbImage image = readRgbImage(dir.filePath(QString("photo%1.png").arg(i)).toStdString());
                for (int c = 0; c < 2; ++c) {
                    const std::string expected = answerers[c].answer(image, kPrompt);
                    QCOMPARE(answerAt(*view, i, c), QString::fromStdString(expected));
                    QCOMPARE(markAt(*view, i, c), int(answersMatch(expected, references[size_t(i)])));
                    const QTableWidgetItem *item = view->answers()->item(i, c + 1);
                    QVERIFY(item->data(VisionLanguageView::GflopsRole).toDouble() > 0);
                    QVERIFY2(item->text().contains("GFLOPs"), qPrintable(item->text()));
                }
                QVERIFY(view->answers()->item(i, 0)->text().contains(QString::fromStdString(references[size_t(i)])));
            }
            QCOMPARE(markAt(*view, 0, 0), 1);
            QCOMPARE(markAt(*view, 1, 0), 0);
            // HiMix's decoder costs less per answer than the LLaVA's.
            QVERIFY(view->answers()->item(0, 2)->data(VisionLanguageView::GflopsRole).toDouble() <
                    view->answers()->item(0, 1)->data(VisionLanguageView::GflopsRole).toDouble());
            for (int c = 1; c <= 2; ++c)
                QVERIFY2(view->totals()->item(0, c)->text().contains("accuracy"), qPrintable(view->totals()->item(0, c)->text()));

            const std::vector<VisionLanguageRun> runs = storedRuns(window, llava);
            QCOMPARE(runs.size(), size_t(1));
            QCOMPARE(runs[0].models.size(), size_t(2));
            QCOMPARE(runs[0].models[1].path, himix.toStdString());
            QCOMPARE(runs[0].data.size(), size_t(1));
            QCOMPARE(runs[0].data[0].role, std::string("questions"));
            QVERIFY(!runs[0].data[0].contentHash.empty());
            QCOMPARE(window.evaluations()->model()->rowCount(), 2);
        }
        {
            MainWindow window; // reopened: the run is shown again
            QVERIFY(showAndOpen(window, dir, llava));
            VisionLanguageView *view = window.visionLanguageView();
            QTRY_VERIFY_WITH_TIMEOUT(window.visionLanguage()->shownRun().has_value(), 20000);
            QCOMPARE(view->answers()->rowCount(), 3);
            for (int i = 0; i < 3; ++i)
                for (int c = 0; c < 2; ++c)
                    QCOMPARE(answerAt(*view, i, c), QString::fromStdString(window.visionLanguage()->shownRun()->models[size_t(c)].answers[size_t(i)]));
            QCOMPARE(markAt(*view, 0, 0), 1);
            QTRY_COMPARE_WITH_TIMEOUT(window.evaluations()->model()->rowCount(), 2, 20000);

            // Cancelled: nothing more is stored.
            view->images()->setText(questions);
            view->runButton()->click();
            BackgroundJob *job = window.jobsPanel()->jobs().constFirst();
            QVERIFY(job->title().startsWith("Ask"));
            job->cancel();
            QVERIFY(waitForEnd(job, 120000));
            QCOMPARE(job->state(), BackgroundJob::State::Cancelled);
            QCOMPARE(storedRuns(window, llava).size(), size_t(1));
            QVERIFY(view->runButton()->isEnabled());
        }
    }

    void comparesAPassInMemory()
    {
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        const QString llava = makeModel(dir, "llava", false);
        const QString questions = writeQuestions(dir, {"a shoe", "a bag"});
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, llava));
        PassRequest request;
        request.method = "himix";
        request.calibrationQuestions = questions.toStdString();
        request.settings["steps"] = 2;
        BackgroundJob *conversion = waitForEnd(window.compression()->startCompression(request), 240000);
        QVERIFY(conversion);
        QVERIFY2(conversion->state() == BackgroundJob::State::Finished, qPrintable(conversion->summary()));
        VisionLanguageView *view = window.visionLanguageView();
        QCOMPARE(view->column(0)->count(), 2); // none, and the conversion
        const QString passName = CompressionView::passName(*window.compression()->currentRecord());
        QCOMPARE(view->column(0)->itemText(1), passName);
        view->column(0)->setCurrentIndex(1);
        view->images()->setText(questions);
        view->maxTokens()->setValue(int(kMaxTokens));
        BackgroundJob *job = runAndWait(window);
        QVERIFY(job);
        QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary()));
        // The conversion's column: what its model in memory answers, read as the open model's.
        const Answerer original(llava);
        const LanguageModel &converted = *window.compression()->currentModel()->languageModel();
        for (int i = 0; i < 2; ++i) {
            const RgbImage image = readRgbImage(dir.filePath(QString("photo%1.png").arg(i)).toStdString());
            QCOMPARE(answerAt(*view, i, 0), QString::fromStdString(original.answer(image, kPrompt)));
            QCOMPARE(answerAt(*view, i, 1),
                     QString::fromStdString(answerImageQuestion(converted, *original.tokenizer.tokenizer, original.processor,
                                                                image, kPrompt.toStdString(), kMaxTokens)
                                                .text));
        }
        const std::vector<VisionLanguageRun> runs = storedRuns(window, llava);
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(QString::fromStdString(runs[0].models[1].name), passName);
    }

    void asksAboutAnIdxSet()
    {
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        const QString llava = makeModel(dir, "llava", false);
        // Three 8 × 8 images, uncompressed: magic, count, rows, cols, then the bytes.
        QByteArray idx("\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00\x00\x08\x00\x00\x00\x08", 16);
        for (int i = 0; i < 3 * 64; ++i)
            idx.append(char((i * 37) % 256));
        const QString images = dir.filePath("images-idx3-ubyte");
        QFile file(images);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(idx);
        file.close();

        MainWindow window;
        QVERIFY(showAndOpen(window, dir, llava));
        VisionLanguageView *view = window.visionLanguageView();
        view->images()->setText(images);
        view->prompt()->setText(kPrompt);
        view->count()->setValue(2);
        view->maxTokens()->setValue(int(kMaxTokens));
        BackgroundJob *job = runAndWait(window);
        QVERIFY(job);
        QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary()));
        QCOMPARE(view->answers()->rowCount(), 2);
        const Answerer answerer(llava);
        const IdxImages set = readIdxImages(images.toStdString());
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(answerAt(*view, i, 0), QString::fromStdString(answerer.answer(idxRgbImage(set, i), kPrompt)));
            QCOMPARE(markAt(*view, i, 0), -1); // nothing to score by
        }
        QVERIFY(!view->totals()->item(0, 1)->text().contains("accuracy"));
        const std::vector<VisionLanguageRun> runs = storedRuns(window, llava);
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(runs[0].images[1].index, int64_t(1));
        QCOMPARE(window.evaluations()->model()->rowCount(), 0); // no answer accuracy without references
    }

    // The demo answers the zoo's questions about test images it never saw, as eval --vqa does.
    void theDemoAnswersFashionQuestions()
    {
        const QString fashion = QStringLiteral("/usr/share/datasets/fashion-mnist");
        if (!QFileInfo::exists(fashion))
            QSKIP("no /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)");
        QTemporaryDir dir;
        const std::string data = fashion.toStdString();
        const QString questions = QString::fromStdString(
            writeFashionQuestions(readIdxImages(data + "/t10k-images-idx3-ubyte.gz"),
                                  readIdxLabels(data + "/t10k-labels-idx1-ubyte.gz"), 0, 4, dir.filePath("set").toStdString()));
        const QString demo = SCULPT_MODELS_DIR "/fashion-llava";
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demo));
        VisionLanguageView *view = window.visionLanguageView();
        QVERIFY(view->note().isEmpty());
        view->images()->setText(questions);
        view->count()->setValue(0);
        view->maxTokens()->setValue(8);
        BackgroundJob *job = runAndWait(window);
        QVERIFY(job);
        QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary()));
        const std::vector<VisionLanguageImage> images = readVisionLanguageImages({questions.toStdString()}, 0);
        QCOMPARE(view->answers()->rowCount(), 12); // three questions about each of four images
        const Answerer answerer(demo);
        int right = 0;
        for (int i = 0; i < 12; ++i) {
            const VisionLanguageImage &image = images[size_t(i)];
            const std::string expected =
                answerer.answer(readRgbImage(image.file), QString::fromStdString(image.question), 8);
            QCOMPARE(answerAt(*view, i, 0), QString::fromStdString(expected));
            QCOMPARE(markAt(*view, i, 0), int(answersMatch(expected, image.references.at(0))));
            right += markAt(*view, i, 0);
        }
        QVERIFY2(right >= 10, qPrintable(QString::number(right))); // it answers 95.7 % of 3,000 such right
        QCOMPARE(window.evaluations()->model()->rowCount(), 1);
    }

    void showsCocoCaptions()
    {
        const QString captions = QStringLiteral(SCULPT_SHARED_DIR "/datasets/coco_mini/captions.json");
        if (!QFileInfo::exists(captions))
            QSKIP("../shared/datasets/coco_mini is absent; skipping");
        QTemporaryDir dir;
        // The demo on colour photos: its processor makes them 28 × 28 grey, as its tower reads.
        const QString llava = SCULPT_MODELS_DIR "/fashion-llava";
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, llava));
        VisionLanguageView *view = window.visionLanguageView();
        view->images()->setText(captions);
        view->prompt()->setText(kPrompt);
        view->count()->setValue(2);
        view->maxTokens()->setValue(3);
        BackgroundJob *job = runAndWait(window);
        QVERIFY(job);
        QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary()));
        const std::vector<VisionLanguageImage> images = readVisionLanguageImages({captions.toStdString()}, 2);
        const Answerer answerer(llava);
        QCOMPARE(view->answers()->rowCount(), 2);
        for (int i = 0; i < 2; ++i) {
            QVERIFY(!images[size_t(i)].references.empty());
            QVERIFY(view->answers()->item(i, 0)->text().contains(QString::fromStdString(images[size_t(i)].references[0])));
            QVERIFY(!view->answers()->item(i, 0)->icon().isNull());
            const std::string expected =
                answerImageQuestion(*answerer.model, *answerer.tokenizer.tokenizer, answerer.processor,
                                    readRgbImage(images[size_t(i)].file), kPrompt.toStdString(), 3)
                    .text;
            QCOMPARE(answerAt(*view, i, 0), QString::fromStdString(expected));
            QCOMPARE(markAt(*view, i, 0), -1); // captions are shown, not scored
        }
    }

    void aModelThatReadsNoImagesCannotRun()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, SCULPT_MODELS_DIR "/fortunes-llama"));
        VisionLanguageView *view = window.visionLanguageView();
        QVERIFY2(view->note().contains("reads no images"), qPrintable(view->note()));
        view->images()->setText(dir.path());
        QVERIFY(!view->runButton()->isEnabled());
        QVERIFY(!window.visionLanguage()->startRun());
    }
};

QTEST_MAIN(TestWindowVisionLanguage)
#include "test_window_vision_language.moc"
