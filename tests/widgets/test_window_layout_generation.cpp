// The Layouts tab's Generate page in the real window: two tiny layout models trained here
// (trainLayoutModel), the first opened in the window and offered as its Model, the second
// chosen as a folder for the compressed column; one job generates the same seeds through both,
// each layout with the panel count asked for and the very boxes the session's generateLayouts
// gives; beside them OpenMantra's pages with as many panels (skipped without ../shared). And
// Compress ▸ on the open model, a pass calibrated on annotated pages the test writes.

#include "compress_dialog.h"
#include "compression_controller.h"
#include "compression_view.h"
#include "jobs_panel.h"
#include "layout_generation_controller.h"
#include "layout_generation_view.h"
#include "layout_page_view.h"
#include "layout_pages.h"
#include "layouts_controller.h"
#include "layouts_view.h"
#include "main_window.h"
#include "session/layout_generation.h"
#include "test_settings.h"
#include "window_driving.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;
using namespace sculpt::test;

namespace {

constexpr int kPanels = 3;

// Pages of one to four rows of panels, as a guillotine layout cuts them.
std::vector<Page> rowPages(int count)
{
    std::vector<Page> pages;
    for (int i = 0; i < count; ++i) {
        Page page;
        page.width = 100;
        page.height = 150;
        const int rows = 1 + i % 4;
        for (int r = 0; r < rows; ++r)
            page.panels.push_back(Panel{{5, 5 + r * 140.0 / rows, 95, (r + 1) * 140.0 / rows}, {}});
        pages.push_back(page);
    }
    return pages;
}

// `pages` as OpenMantra's annotation.json in `folder`, which is made: frames only, no images.
bool writeOpenMantra(const QString &folder, const std::vector<Page> &pages)
{
    QJsonArray list;
    for (size_t i = 0; i < pages.size(); ++i) {
        QJsonArray frames;
        for (const Panel &p : pages[i].panels)
            frames.append(QJsonObject{{"x", p.box.x0}, {"y", p.box.y0}, {"w", p.box.x1 - p.box.x0}, {"h", p.box.y1 - p.box.y0}});
        list.append(QJsonObject{{"page_index", int(i)}, {"frame", frames}});
    }
    QFile file(folder + "/annotation.json");
    return QDir().mkpath(folder) && file.open(QIODevice::WriteOnly) &&
           file.write(QJsonDocument(QJsonArray{QJsonObject{{"book_title", "rows"}, {"pages", list}}}).toJson()) > 0;
}

QString trainTiny(const QTemporaryDir &dir, const QString &name, uint64_t seed)
{
    LayoutTrainingOptions options = tinyLayoutOptions();
    options.shape.maxPanels = 6;
    options.shape.layers = 1;
    options.shape.timesteps = 40;
    options.steps = 20;
    options.batch = 8;
    options.seed = seed;
    const QString folder = dir.filePath(name);
    trainLayoutModel(rowPages(24), rowPages(4), options, folder.toStdString());
    return folder;
}

} // namespace

class TestWindowLayoutGeneration : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { isolateSettings(); }

    void sameSeedsThroughBothModels()
    {
        QTemporaryDir dir;
        const QString original = trainTiny(dir, "original", 1), other = trainTiny(dir, "other", 2);
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, original));
        const QString openMantra = QStringLiteral(SCULPT_SHARED_DIR "/datasets/openmantra/annotation.json");
        const bool real = QFileInfo::exists(openMantra);
        if (real) {
            QSignalSpy read(window.layouts(), &LayoutsController::opened);
            QVERIFY(window.layouts()->open(openMantra));
            QVERIFY(read.wait(30000));
        }

        LayoutGenerationView *view = window.layoutsView()->generationView();
        QCOMPARE(view->model()->combo()->count(), 1); // the open model, a layout model
        QCOMPARE(view->model()->chosenKey(), window.currentPath());
        view->compressed()->chooseFolder(other);
        view->panels()->setValue(kPanels);
        view->firstSeed()->setValue(7);
        view->seedCount()->setValue(3);
        view->steps()->setValue(10);
        view->aspect()->setValue(1.4);
        QVERIFY(view->generateButton()->isEnabled());
        BackgroundJob *job = window.layoutGeneration()->generate();
        QVERIFY(job);
        QVERIFY(!view->generateButton()->isEnabled()); // one run at a time
        QVERIFY(waitForEnd(job, 120000));
        QCOMPARE(job->state(), BackgroundJob::State::Finished);
        QCoreApplication::processEvents(); // the queued last layouts

        QCOMPARE(view->rowCount(), 3);
        QCOMPARE(view->rowName(0), QFileInfo(original).fileName());
        QCOMPARE(view->rowName(1), QStringLiteral("other"));
        LayoutGenerationRequest request;
        request.panels = kPanels;
        request.aspect = 1.4;
        request.steps = 10;
        request.seeds = {7, 8, 9};
        for (int row = 0; row < 2; ++row) {
            const LoadedLayoutModel model = loadLayoutModel({"", (row == 0 ? original : other).toStdString(), nullptr});
            const std::vector<GeneratedLayout> expected = generateLayouts(model, request);
            for (int column = 0; column < 3; ++column) {
                const Page &shown = view->cell(row, column)->page();
                QCOMPARE(int(shown.panels.size()), kPanels);
                QCOMPARE(shown.width, 1.0);
                QCOMPARE(shown.height, 1.4);
                for (int p = 0; p < kPanels; ++p) {
                    QCOMPARE(shown.panels[size_t(p)].box.x0, expected[size_t(column)].page.panels[size_t(p)].box.x0);
                    QCOMPARE(shown.panels[size_t(p)].box.y1, expected[size_t(column)].page.panels[size_t(p)].box.y1);
                }
                QCOMPARE(view->cell(row, column)->numberOf(0), std::optional<int>(1));
            }
            QVERIFY(!view->cell(row, 3));
        }
        // Different weights, same seeds: the columns are comparable, the layouts not the same.
        // (Barely trained, both clip many boxes to the page's edges: compare every coordinate.)
        bool differ = false;
        for (int column = 0; column < 3; ++column)
            for (int p = 0; p < kPanels; ++p) {
                const Box &a = view->cell(0, column)->page().panels[size_t(p)].box;
                const Box &b = view->cell(1, column)->page().panels[size_t(p)].box;
                differ = differ || a.x0 != b.x0 || a.y0 != b.y0 || a.x1 != b.x1 || a.y1 != b.y1;
            }
        QVERIFY(differ);
        if (!real)
            QSKIP("no ../shared/datasets/openmantra: the real pages' row is not checked");
        QVERIFY(view->rowName(2).contains("Real pages with 3 panel"));
        for (int column = 0; column < 3; ++column) {
            QVERIFY(view->cell(2, column));
            QCOMPARE(int(view->cell(2, column)->page().panels.size()), kPanels);
            QVERIFY(!view->cell(2, column)->page().image.empty());
        }
    }

    // Compress ▸ on the open layout model: the passes that calibrate are offered beside svd and
    // learn from annotated pages (a folder typed in); the pass's model then generates in the
    // compressed row, on the same seeds.
    void compressesTheOpenModelOnAnnotatedPages()
    {
        QTemporaryDir dir;
        const QString original = trainTiny(dir, "original", 1);
        QVERIFY(writeOpenMantra(dir.filePath("pages"), rowPages(16)));
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, original));
        QAction *compress = menuAction(window, "Compress…");
        QVERIFY(compress && compress->isEnabled());
        compress->trigger();
        auto *dialog = window.findChild<CompressDialog *>("compressDialog");
        QVERIFY(dialog && dialog->isVisible());
        QCOMPARE(dialog->method()->count(), 5); // svd, fwsvd, asvd, svd-llm, soco: not HiMix
        QCOMPARE(dialog->calibrationCount()->suffix(), QString(" pages"));
        QVERIFY(!dialog->tokenizerFile()->isVisible() && !dialog->calibrationLabels()->isVisible());
        dialog->setMethod("svd-llm");
        QVERIFY(!dialog->okButton()->isEnabled()); // no pages yet
        dialog->calibrationFile()->setText(dir.filePath("pages"));
        dialog->calibrationCount()->setValue(12);
        QVERIFY(dialog->okButton()->isEnabled());
        const PassRequest request = dialog->request();
        QCOMPARE(QString::fromStdString(request.calibrationFile), dir.filePath("pages"));
        dialog->reject();

        BackgroundJob *job = waitForEnd(window.compression()->startCompression(request), 120000);
        QVERIFY(job && job->state() == BackgroundJob::State::Finished);
        const PassRecord record = window.compressionView()->records().back();
        QCOMPARE(record.modelKind, std::string("layout"));
        QCOMPARE(record.calibration, std::string("layouts"));
        QCOMPARE(record.calibrationCount, 12L);
        QCOMPARE(record.data.front().role, std::string("calibration")); // the folder's annotation file
        QCOMPARE(QString::fromStdString(record.data.front().path), dir.filePath("pages/annotation.json"));

        LayoutGenerationView *view = window.layoutsView()->generationView();
        const int pass = view->compressed()->combo()->findText("svd-llm", Qt::MatchContains);
        QVERIFY(pass >= 0);
        view->compressed()->combo()->setCurrentIndex(pass);
        view->panels()->setValue(kPanels);
        view->seedCount()->setValue(2);
        view->steps()->setValue(10);
        QVERIFY(waitForEnd(window.layoutGeneration()->generate(), 120000));
        QCoreApplication::processEvents();
        QCOMPARE(view->rowCount(), 3); // and the real pages' row
        bool differ = false;
        for (int column = 0; column < 2; ++column) {
            QCOMPARE(int(view->cell(1, column)->page().panels.size()), kPanels);
            for (int p = 0; p < kPanels; ++p) {
                const Box &a = view->cell(0, column)->page().panels[size_t(p)].box;
                const Box &b = view->cell(1, column)->page().panels[size_t(p)].box;
                differ = differ || a.x0 != b.x0 || a.y0 != b.y0 || a.x1 != b.x1 || a.y1 != b.y1;
            }
        }
        QVERIFY(differ);
    }

    void refusesWhatTheModelCannotTake()
    {
        QTemporaryDir dir;
        const QString original = trainTiny(dir, "original", 1);
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, original));
        LayoutGenerationView *view = window.layoutsView()->generationView();
        view->panels()->setValue(9); // the model takes at most 6
        BackgroundJob *job = window.layoutGeneration()->generate();
        QVERIFY(waitForEnd(job, 60000));
        QCOMPARE(job->state(), BackgroundJob::State::Failed);
        QVERIFY2(!window.layoutsView()->message().isEmpty() && !window.layoutsView()->message().contains('\n'),
                 qPrintable(window.layoutsView()->message()));
        QVERIFY(view->generateButton()->isEnabled());
    }
};

QTEST_MAIN(TestWindowLayoutGeneration)
#include "test_window_layout_generation.moc"
