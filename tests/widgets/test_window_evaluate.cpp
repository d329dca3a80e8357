// Analyse ▸ Evaluate in the real window: the demo ViT's accuracy on Fashion-MNIST images and
// stories260K's perplexity as jobs, the result in the Evaluations table and the workspace,
// shown again on reopening (greyed once the weights change); a cancelled evaluation leaves
// nothing, a bad data file fails in one line. Screenshots go to <build>/tests/screenshots.

#include "analysis/content_hash.h"
#include "background_job.h"
#include "demo_model.h"
#include "evaluate_dialog.h"
#include "evaluation_table.h"
#include "idx_files.h"
#include "io/formats.h"
#include "jobs_panel.h"
#include "main_window.h"
#include "data/idx.h"
#include "runtime/image_classifier.h"
#include "runtime/language_model.h"
#include "runtime/perplexity.h"
#include "runtime/tokenizer.h"
#include "screenshot.h"
#include "test_files.h"
#include "test_settings.h"
#include "window_driving.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>

using namespace sculpt;
using namespace sculpt::test;

namespace {

const QString kFashion = QStringLiteral("/usr/share/datasets/fashion-mnist/");

// The first `count` Fashion-MNIST test images and labels as raw IDX files in `dir`.
struct ImageSet {
    QString images, labels;
};
ImageSet writeSubset(const QTemporaryDir &dir, int count)
{
    const IdxImages all = readIdxImages((kFashion + "t10k-images-idx3-ubyte.gz").toStdString());
    const std::vector<uint8_t> labels = readIdxLabels((kFashion + "t10k-labels-idx1-ubyte.gz").toStdString());
    const ImageSet set{dir.filePath("subset-images-idx3-ubyte"), dir.filePath("subset-labels-idx1-ubyte")};
    test::writeFile(set.images, test::idxFile(test::kIdxImages, {uint32_t(count), 28, 28},
                                              QByteArray(reinterpret_cast<const char *>(all.pixels.data()), count * 28 * 28)));
    test::writeFile(set.labels, test::idxFile(test::kIdxLabels, {uint32_t(count)},
                                              QByteArray(reinterpret_cast<const char *>(labels.data()), count)));
    return set;
}

// The demo ViT copied into `dir`, so the test may change its weights.
QString copyDemo(const QTemporaryDir &dir)
{
    const QString demo = demoModelPath();
    const QString copy = dir.filePath("fashion-vit");
    QDir().mkpath(copy);
    for (const QString &file : {QStringLiteral("config.json"), QStringLiteral("model.safetensors")})
        QFile::copy(demo + "/" + file, copy + "/" + file);
    return copy;
}

// How many of the set's images the model classifies right, counted here image by image.
long correctCount(const QString &model, const ImageSet &set)
{
    const auto classifier = ImageClassifier::load(*openCheckpoint(model.toStdString()));
    const IdxImages images = readIdxImages(set.images.toStdString());
    const std::vector<uint8_t> labels = readIdxLabels(set.labels.toStdString());
    long correct = 0;
    for (int64_t i = 0; i < images.count; ++i)
        correct += classifier->classify(images.image(i), 1).at(0) == labels[size_t(i)];
    return correct;
}

std::vector<Evaluation> storedEvaluations(MainWindow &window, const QString &model)
{
    const QString path = window.workspacePath(model);
    if (!QFileInfo::exists(path))
        return {};
    const auto checkpoint = openCheckpoint(model.toStdString());
    return Workspace::open(path.toStdString(), {checkpoint->path(), modelFingerprint(*checkpoint)}).evaluations();
}

} // namespace

class TestWindowEvaluate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { test::isolateSettings(); }

    void accuracyOfTheDemoVitIsStoredAndShownAgain()
    {
        if (!QFileInfo::exists(kFashion + "t10k-images-idx3-ubyte.gz"))
            QSKIP("Debian's dataset-fashion-mnist is not installed");
        QTemporaryDir dir;
        const QString model = copyDemo(dir);
        const ImageSet set = writeSubset(dir, 500);
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, model));

        // Through the menu and the dialog, as a user would: it opens on images for a ViT
        // and finds the labels beside the images.
        QAction *evaluate = menuAction(window, "Evaluate…");
        QVERIFY(evaluate && evaluate->isEnabled());
        evaluate->trigger();
        auto *dialog = window.findChild<EvaluateDialog *>("evaluateDialog");
        QVERIFY(dialog && dialog->isVisible());
        QCOMPARE(dialog->kind(), EvaluateDialog::Kind::Accuracy);
        QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QVERIFY(!ok->isEnabled()); // nothing chosen yet
        dialog->imagesFile()->setText(set.images);
        Q_EMIT dialog->imagesFile()->editingFinished();
        QCOMPARE(dialog->labelsFile()->text(), set.labels);
        QVERIFY(ok->isEnabled());
        screenshot(*dialog, "20-evaluate-dialog.png");
        ok->click();
        BackgroundJob *job = window.jobsPanel()->jobs().constFirst();
        QCOMPARE(job->title(), QString("Accuracy of fashion-vit on subset-images-idx3-ubyte"));
        QVERIFY(!evaluate->isEnabled() || !job->isRunning()); // one evaluation at a time
        QVERIFY(waitForEnd(job));
        QCOMPARE(job->state(), BackgroundJob::State::Finished);

        const long correct = correctCount(model, set);
        QVERIFY2(correct > 350, "the demo ViT reaches 86 % on the whole test set"); // a sanity floor
        const double accuracy = double(correct) / 500;
        const QString percent = QStringLiteral("%1\u00a0%").arg(100 * accuracy, 0, 'f', 2);
        QCOMPARE(job->summary(), QString("accuracy %1 on 500 images").arg(percent));
        QCOMPARE(job->progress().total, 500L);

        // In the table …
        EvaluationTable *table = window.evaluations();
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(table->shownText(0, EvaluationTableModel::Metric), QString("accuracy"));
        QCOMPARE(table->shownText(0, EvaluationTableModel::Value), percent);
        QCOMPARE(table->shownText(0, EvaluationTableModel::Data), QString("subset-images-idx3-ubyte"));
        QCOMPARE(table->shownText(0, EvaluationTableModel::Count), QString("500 images"));
        QVERIFY(!table->model()->isStale(0));
        screenshot(window, "21-evaluation-done.png");

        // … and in the workspace, with what it was measured on.
        std::vector<Evaluation> stored = storedEvaluations(window, model);
        QCOMPARE(stored.size(), size_t(1));
        const Evaluation &e = stored[0];
        QCOMPARE(e.id, std::string("000001"));
        QCOMPARE(e.value, accuracy);
        QCOMPARE(e.count, int64_t(500));
        QCOMPARE(e.details.at("correct"), double(correct));
        QCOMPARE(e.data.size(), size_t(2));
        QCOMPARE(e.data[0].role, std::string("images"));
        QCOMPARE(e.data[0].path, set.images.toStdString());
        QCOMPARE(e.data[0].bytes, int64_t(16 + 500 * 28 * 28));
        QCOMPARE(e.data[1].bytes, int64_t(8 + 500));
        QCOMPARE(e.data[1].contentHash.size(), size_t(16));
        QVERIFY(e.seconds > 0);
        QVERIFY(QDateTime::fromString(QString::fromStdString(e.date), Qt::ISODate).isValid());

        // A second one with a limit, then the table as CSV in the order shown.
        EvaluationRequest limited;
        limited.images = set.images.toStdString();
        limited.labels = set.labels.toStdString();
        limited.limit = 100;
        QVERIFY(waitForEnd(window.startEvaluation(limited)));
        QCOMPARE(table->model()->rowCount(), 2);
        table->view()->sortByColumn(EvaluationTableModel::Count, Qt::AscendingOrder);
        QCOMPARE(table->shownText(0, EvaluationTableModel::Settings), QString("limit 100"));
        QVERIFY(window.saveEvaluations(dir.filePath("evaluations.csv")));
        QFile csv(dir.filePath("evaluations.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QCOMPARE(lines.size(), 4); // the header, two rows and the empty piece after the last line end
        QVERIFY(lines[0].startsWith("metric,value,data,count,settings,date,seconds,weights_hash"));
        QVERIFY2(lines[1].contains(",100,limit=100,"), lines[1].constData());
        QVERIFY2(lines[2].startsWith("accuracy," + QByteArray::number(accuracy, 'g', 10) + ",images=" +
                                     set.images.toUtf8() + ";labels=" + set.labels.toUtf8() + ",500,,"),
                 lines[2].constData());

        // Reopened, both are back; with other weights they are greyed.
        QVERIFY(openAndWait(window, demoModelPath()));
        QCOMPARE(table->model()->rowCount(), 0);
        QVERIFY(openAndWait(window, model));
        QTRY_COMPARE(table->model()->rowCount(), 2);
        QTRY_VERIFY(window.jobsPanel()->jobs().constFirst()->summary().endsWith("; 2 evaluations"));
        QVERIFY(!table->model()->isStale(0) && !table->model()->isStale(1));

        QVERIFY(openAndWait(window, demoModelPath()));
        QFile weights(model + "/model.safetensors");
        QVERIFY(weights.open(QIODevice::ReadWrite));
        QVERIFY(weights.seek(weights.size() - 4));
        const float changed = 0.125f;
        weights.write(reinterpret_cast<const char *>(&changed), 4); // the classifier's last bias
        weights.close();
        QVERIFY(openAndWait(window, model));
        QTRY_COMPARE(table->model()->rowCount(), 2);
        QTRY_VERIFY(table->model()->isStale(0));
        QVERIFY(table->model()->isStale(1));
        QVERIFY(table->view()->model()->index(0, 0).data(Qt::ToolTipRole).toString().contains("other weights"));
        screenshot(window, "22-evaluations-reopened-changed-weights.png");
    }

    void cancellingLeavesNothing()
    {
        if (!QFileInfo::exists(kFashion + "t10k-images-idx3-ubyte.gz"))
            QSKIP("Debian's dataset-fashion-mnist is not installed");
        QTemporaryDir dir;
        const QString model = copyDemo(dir);
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, model));
        EvaluationRequest request; // all 10,000 test images: 40 batches of 256
        request.images = (kFashion + "t10k-images-idx3-ubyte.gz").toStdString();
        request.labels = (kFashion + "t10k-labels-idx1-ubyte.gz").toStdString();
        BackgroundJob *job = window.startEvaluation(request);
        QVERIFY(job);
        QVERIFY(!window.startEvaluation(request)); // one at a time
        // Past hashing the weights, into the images.
        QTRY_VERIFY_WITH_TIMEOUT(job->progress().total == 10000 && job->progress().done >= 1, 30000);
        QVERIFY(job->isRunning());
        QVERIFY(job->secondsLeft() > 0); // the time left shows
        screenshot(window, "23-evaluation-running.png");
        QVERIFY(window.jobsPanel()->cancelSelected() == job);
        QVERIFY(waitForEnd(job));
        QCOMPARE(job->state(), BackgroundJob::State::Cancelled);
        QCOMPARE(window.evaluations()->model()->rowCount(), 0);
        QVERIFY(storedEvaluations(window, model).empty());
        QVERIFY(QDir(dir.filePath("workspaces")).entryList({"*.tmp-*"}, QDir::Files).isEmpty());
        // … and the window goes on.
        const ImageSet set = writeSubset(dir, 50);
        request.images = set.images.toStdString();
        request.labels = set.labels.toStdString();
        BackgroundJob *next = waitForEnd(window.startEvaluation(request));
        QVERIFY(next);
        QCOMPARE(next->state(), BackgroundJob::State::Finished);
        QCOMPARE(storedEvaluations(window, model).size(), size_t(1));
    }

    void badDataFailsInOneLine()
    {
        QTemporaryDir dir;
        const QString model = copyDemo(dir);
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, model));

        // Labels where the images should be: the wrong magic.
        const QString labels = dir.filePath("labels-idx1-ubyte");
        test::writeFile(labels, test::idxFile(test::kIdxLabels, {3}, QByteArray("\x01\x02\x03", 3)));
        EvaluationRequest request;
        request.images = labels.toStdString();
        request.labels = labels.toStdString();
        BackgroundJob *job = waitForEnd(window.startEvaluation(request));
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Failed);
        QVERIFY2(job->summary().startsWith(labels + ": ") && job->summary().contains("magic"), qPrintable(job->summary()));
        QVERIFY(!job->summary().contains('\n'));
        QCOMPARE(window.jobsPanel()->statusText(job), QString("failed"));
        QVERIFY(window.jobsPanel()->logText().contains(job->summary()));
        screenshot(window, "24-evaluation-failed.png");

        // Images that do not fit the model: 8×8 for a 28×28 ViT.
        const QString small = dir.filePath("small-images-idx3-ubyte");
        test::writeFile(small, test::idxFile(test::kIdxImages, {3, 8, 8}, QByteArray(3 * 64, '\0')));
        request.images = small.toStdString();
        test::writeFile(labels, test::idxFile(test::kIdxLabels, {3}, QByteArray("\x01\x02\x03", 3)));
        job = waitForEnd(window.startEvaluation(request));
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Failed);
        QVERIFY2(!job->summary().isEmpty() && !job->summary().contains('\n'), qPrintable(job->summary()));

        // A text for an image classifier: not a language model.
        const QString text = dir.filePath("text.txt");
        test::writeFile(text, "Once upon a time.\n\nThe end.\n");
        EvaluationRequest onText;
        onText.text = text.toStdString();
        job = waitForEnd(window.startEvaluation(onText));
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Failed);
        QVERIFY2(job->summary().contains(model), qPrintable(job->summary()));

        QVERIFY(storedEvaluations(window, model).empty());
        QCOMPARE(window.evaluations()->model()->rowCount(), 0);
        QCOMPARE(window.currentPath(), model); // the window carries on
    }

    void perplexityOfStories260K()
    {
        SCULPT_REQUIRE_SHARED(shared, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(text, "tinystories_valid_sample/tinystories_val.txt");
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();

        // Without its tokenizer beside it, the model cannot be read: one line says so.
        const QString alone = dir.filePath("stories260K.bin");
        QVERIFY(QFile::copy(shared, alone));
        QVERIFY(openAndWait(window, alone));
        EvaluationRequest request;
        request.text = text.toStdString();
        request.maxDocuments = 5;
        BackgroundJob *job = waitForEnd(window.startEvaluation(request));
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Failed);
        QCOMPARE(job->summary(), alone + ": no tokenizer beside the model (tokenizer.model, tokenizer.json or tok512.bin); choose one");
        // … and when one is chosen, it runs.
        request.tokenizer = QFileInfo(shared).path().toStdString() + "/tok512.bin";
        job = waitForEnd(window.startEvaluation(request));
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Finished);

        QVERIFY(openAndWait(window, shared));
        request.tokenizer.clear(); // found beside the model
        job = waitForEnd(window.startEvaluation(request));
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Finished);
        QCOMPARE(job->progress().total, 5L);

        // The same number as the runtime gives directly.
        const auto checkpoint = openCheckpoint(shared.toStdString());
        const auto model = LanguageModel::load(*checkpoint);
        const auto tokenizer = openTokenizer(QFileInfo(shared).path().toStdString() + "/tok512.bin");
        QFile file(text);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const PerplexityResult direct = perplexity(*model, *tokenizer, {bytes.constData(), size_t(bytes.size())}, 5);
        const std::vector<Evaluation> stored = storedEvaluations(window, shared);
        QCOMPARE(stored.size(), size_t(1));
        QCOMPARE(stored[0].metric, std::string("perplexity"));
        QCOMPARE(stored[0].value, direct.perplexity());
        QCOMPARE(stored[0].count, int64_t(direct.tokens));
        QCOMPARE(stored[0].details.at("documents"), 5.0);
        QCOMPARE(stored[0].settings.at("max_documents"), std::string("5"));
        QCOMPARE(stored[0].data[1].role, std::string("tokenizer"));
        QCOMPARE(window.evaluations()->shownText(0, EvaluationTableModel::Value),
                 QString::number(direct.perplexity(), 'f', 3));
        QCOMPARE(window.evaluations()->shownText(0, EvaluationTableModel::Count),
                 QLocale().toString(qlonglong(direct.tokens)) + " tokens");
        screenshot(window, "25-stories260K-perplexity.png");
    }
};

QTEST_MAIN(TestWindowEvaluate)
#include "test_window_evaluate.moc"
