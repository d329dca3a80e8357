// The workbench window driven as a researcher would: open a model, compute its spectra as
// a job, select tensors, move the rank cursor, export the plot, cancel a long job, reopen
// and reuse the workspace. Screenshots of the main views go to <build>/tests/screenshots.

#include "analysis/content_hash.h"
#include "analysis/metrics.h"
#include "background_job.h"
#include "esd_plot.h"
#include "filter_box.h"
#include "io/formats.h"
#include "jobs_panel.h"
#include "layer_overview.h"
#include "main_window.h"
#include "model_tree.h"
#include "screenshot.h"
#include "small_model.h"
#include "spectrum_plot.h"
#include "test_settings.h"
#include "window_driving.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QImage>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <qcustomplot.h>

using namespace sculpt;
using namespace sculpt::test;

namespace {

const QString kUpProj = QStringLiteral("model.layers.1.mlp.up_proj.weight"); // 128 × 48 in the tiny model

// Runs a spectra job to its end; nullptr when it could not start or did not end in time.
BackgroundJob *runSpectra(MainWindow &window, int topK = 0)
{
    BackgroundJob *job = window.startSpectra(topK);
    if (!job)
        return nullptr;
    QSignalSpy ended(job, &BackgroundJob::ended);
    return ended.wait(20000) ? job : nullptr;
}

void select(MainWindow &window, const QStringList &names)
{
    ModelTree *tree = window.modelTree();
    tree->clearSelection();
    for (const QString &name : names) {
        QTreeWidgetItem *item = tree->tensorItem(name);
        QVERIFY2(item, qPrintable(name));
        item->setSelected(true);
    }
}

QString percentText(double fraction) { return QStringLiteral("%1\u00a0%").arg(100 * fraction, 0, 'f', 1); }

// Drops a drag carrying these URLs on the window, as a file manager would; whether the
// window took it.
bool drop(MainWindow &window, const QList<QUrl> &urls)
{
    QMimeData mime;
    mime.setUrls(urls);
    const QPoint at = window.rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QApplication::sendEvent(&window, &enter);
    if (!enter.isAccepted())
        return false;
    QDropEvent dropped(at, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QApplication::sendEvent(&window, &dropped);
    return dropped.isAccepted();
}

} // namespace

class TestWorkbench : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { test::isolateSettings(); } // each test starts with no recent files and no saved layout

    void spectraFillTheTreeAndThePlot()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        const QString model = test::writeTinyLlama(dir.path());
        QVERIFY(openAndWait(window, model, 10000));
        screenshot(window, "01-opened.png");

        BackgroundJob *job = runSpectra(window);
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Finished);
        QCOMPARE(job->summary(), QString("16 computed, 0 reused, 0 skipped"));
        QVERIFY(QFileInfo::exists(window.workspacePath(model)));
        const SpectrumOutcome *up = window.outcome(kUpProj);
        QVERIFY(up && up->spectrum && !up->reused);
        QVERIFY(!window.modelTree()->tensorItem(kUpProj)->text(ModelTree::StableRank).isEmpty());

        // One matrix: min(m, n) singular values.
        select(window, {kUpProj});
        SpectrumPlot *plot = window.spectrumPlot();
        QCOMPARE(plot->plot()->graphCount(), 1);
        QCOMPARE(plot->plot()->graph(0)->data()->size(), 48);

        // The rank cursor, typed: 1 − k(m+n)/(mn) and the energy of the first k values.
        plot->setRank(12);
        const RankCut &cut = plot->cut();
        QCOMPARE(cut.rank, 12L);
        const double ratio = 1.0 - 12.0 * (128 + 48) / (128.0 * 48);
        QCOMPARE(cut.compressionRatio, ratio);
        QVERIFY2(plot->cutText().contains("compression " + percentText(ratio)), qPrintable(plot->cutText()));
        QVERIFY(plot->cutText().contains(QLocale().toString(12 * (128 + 48))));
        double kept = 0;
        for (int i = 0; i < 12; ++i)
            kept += up->spectrum->singularValues[size_t(i)] * up->spectrum->singularValues[size_t(i)];
        QVERIFY(std::abs(cut.energyRetained - kept / std::pow(up->spectrum->metrics.frobeniusNorm, 2)) < 1e-9);

        // … from a target ratio …
        plot->setTargetRatio(0.5);
        QCOMPARE(plot->cut().rank, rankForCompression(128, 48, 0.5));
        QVERIFY(plot->cut().compressionRatio >= 0.5);

        // … and dragged with the mouse.
        QCustomPlot *canvas = plot->plot();
        canvas->replot();
        const int y = canvas->axisRect()->center().y();
        const QPoint from(int(std::lround(canvas->xAxis->coordToPixel(double(plot->cut().rank)))), y);
        const QPoint to(int(std::lround(canvas->xAxis->coordToPixel(30))), y);
        QTest::mousePress(canvas, Qt::LeftButton, {}, from);
        QTest::mouseMove(canvas, to);
        QTest::mouseRelease(canvas, Qt::LeftButton, {}, to);
        QCOMPARE(plot->cut().rank, 30L);
        QVERIFY(plot->cutText().contains("compression " + percentText(1.0 - 30.0 * 176 / (128.0 * 48))));

        // Hovering a point reads it out.
        const double sigma5 = up->spectrum->singularValues[4];
        QTest::mouseMove(canvas, QPoint(int(std::lround(canvas->xAxis->coordToPixel(5))),
                                        int(std::lround(canvas->yAxis->coordToPixel(sigma5)))));
        QVERIFY2(plot->hoverText().contains(kUpProj + " · i = 5 · σ_i = " + QString::number(sigma5, 'g', 5)),
                 qPrintable(plot->hoverText()));
        plot->setRank(12);
        screenshot(window, "02-tensor-rank-cursor.png");

        // A whole block overlays its seven matrices, in every view.
        window.modelTree()->clearSelection();
        window.modelTree()->topLevelItem(1)->setSelected(true); // block 0
        QCOMPARE(plot->plot()->graphCount(), 7);
        QVERIFY(plot->plot()->legend->visible());
        screenshot(window, "03-block-log-y.png");
        plot->setView(SpectrumPlot::View::LogLog);
        screenshot(*plot, "04-block-log-log.png");
        plot->setView(SpectrumPlot::View::Normalised);
        QCOMPARE(plot->plot()->graph(0)->data()->at(0)->value, 1.0);
        screenshot(*plot, "05-block-normalised.png");
        plot->setView(SpectrumPlot::View::Energy);
        const auto energy = plot->plot()->graph(0)->data();
        QVERIFY(std::abs(energy->at(energy->size() - 1)->value - 1.0) < 1e-9); // all the energy at full rank
        screenshot(*plot, "06-block-energy.png");
    }

    void esdAndLayerOverviewFollowTheSelection()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        QVERIFY(openAndWait(window, test::writeTinyLlama(dir.path()), 10000));
        QVERIFY(runSpectra(window));

        // The ESD shows the rank cursor's matrix: every eigenvalue in a bin.
        select(window, {"model.layers.0.mlp.gate_proj.weight", kUpProj});
        EsdPlot *esd = window.esdPlot();
        QCOMPARE(esd->current(), 0);
        QCOMPARE(esd->histogram().total, 48L);
        window.spectrumPlot()->setCursorSpectrum(1);
        QCOMPARE(esd->current(), 1);
        QVERIFY(esd->fitText().startsWith(QString("α = %1").arg(window.outcome(kUpProj)->spectrum->metrics.alpha.alpha, 0, 'f', 2)));
        window.views()->setCurrentWidget(esd);
        screenshot(window, "12-esd.png");
        QVERIFY(window.savePlot(dir.filePath("esd.svg")));

        // Clicking a point of the layer overview selects its tensor in the tree and plots it.
        LayerOverview *overview = window.layerOverview();
        window.views()->setCurrentWidget(overview);
        QTRY_COMPARE(overview->roles(), (QStringList{"q", "k", "v", "o", "gate", "up", "down"}));
        QCustomPlot *canvas = overview->plot();
        canvas->replot();
        const auto down1 = overview->series("down")->data()->at(1);
        QTest::mouseClick(canvas, Qt::LeftButton, {},
                          QPoint(int(std::lround(canvas->xAxis->coordToPixel(down1->key))),
                                 int(std::lround(canvas->yAxis->coordToPixel(down1->value)))));
        const QString down = "model.layers.1.mlp.down_proj.weight";
        QCOMPARE(window.modelTree()->selectedTensors(), QStringList{down});
        QCOMPARE(window.spectrumPlot()->spectra().at(0).name, down.toStdString());
        QCOMPARE(down1->value, window.outcome(down)->spectrum->metrics.alpha.alpha);
        screenshot(window, "13-layers.png");

        // The table as CSV: a header and one row per matrix.
        QVERIFY(window.saveTable(dir.filePath("metrics.csv")));
        QFile csv(dir.filePath("metrics.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().count("\r\n"), 1 + 16);
    }

    void plotExportsToPngPdfAndSvg()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        QVERIFY(openAndWait(window, test::writeTinyLlama(dir.path()), 10000));
        QVERIFY(runSpectra(window));
        select(window, {kUpProj, "model.layers.1.mlp.down_proj.weight"});
        QCOMPARE(window.spectrumPlot()->plot()->graphCount(), 2);

        QVERIFY(window.savePlot(dir.filePath("plot.png"), QSize(900, 600)));
        const QImage image(dir.filePath("plot.png"));
        QCOMPARE(image.size(), QSize(900, 600));
        screenshot(*window.spectrumPlot(), "10-exported-plot-widget.png");
        QVERIFY(image.save(QDir(QCoreApplication::applicationDirPath()).filePath("screenshots/11-exported-plot.png")));

        QVERIFY(window.savePlot(dir.filePath("plot.svg"), QSize(900, 600)));
        QFile::copy(dir.filePath("plot.svg"), QDir(QCoreApplication::applicationDirPath()).filePath("screenshots/11-exported-plot.svg"));
        QFile svg(dir.filePath("plot.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&svg);
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name(), QLatin1String("svg"));
        while (!xml.atEnd())
            xml.readNext();
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));

        QVERIFY(window.savePlot(dir.filePath("plot.pdf")));
        QFile pdf(dir.filePath("plot.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");

        QVERIFY(!window.savePlot(dir.filePath("plot.bmp")));
    }

    void reopeningReusesTheWorkspace()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        const QString model = test::writeTinyLlama(dir.path());
        QVERIFY(openAndWait(window, model, 10000));
        QVERIFY(runSpectra(window));
        // Reopened, the stored spectra show at once: a job reads them back, computing nothing.
        QVERIFY(openAndWait(window, model, 10000));
        QCOMPARE(window.jobsPanel()->jobs().constFirst()->title(), QString("Stored results of tiny-llama.safetensors"));
        QTRY_VERIFY(window.outcome(kUpProj));
        QVERIFY(window.outcome(kUpProj)->reused);
        QTRY_COMPARE(window.jobsPanel()->jobs().constFirst()->summary(), QString("stored spectra shown for 16 of 16 matrices"));
        select(window, {kUpProj});
        QCOMPARE(window.spectrumPlot()->plot()->graph(0)->data()->size(), 48);
        QTRY_VERIFY(window.layerOverview()->series("up"));
        BackgroundJob *again = runSpectra(window);
        QVERIFY(again);
        QCOMPARE(again->summary(), QString("0 computed, 16 reused, 0 skipped"));
        QVERIFY(window.outcome(kUpProj)->reused);

        // A preview is stored beside the exact spectra, and never replaces them on screen.
        BackgroundJob *preview = runSpectra(window, 8);
        QVERIFY(preview);
        QCOMPARE(preview->summary(), QString("16 computed, 0 reused, 0 skipped"));
        QCOMPARE(window.outcome(kUpProj)->spectrum->method, std::string("exact"));
    }

    void reopeningShowsStoredPreviews()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        const QString model = test::writeTinyLlama(dir.path());
        QVERIFY(openAndWait(window, model, 10000));
        QVERIFY(runSpectra(window, 8));
        QVERIFY(runSpectra(window, 16));

        // Only previews stored: each matrix's largest one shows, reused, in every view.
        QVERIFY(openAndWait(window, model, 10000));
        QTRY_COMPARE(window.jobsPanel()->jobs().constFirst()->summary(),
                     QString("stored spectra shown for 16 of 16 matrices, 16 of them top-k previews"));
        const SpectrumOutcome *up = window.outcome(kUpProj);
        QVERIFY(up && up->spectrum && up->reused);
        QCOMPARE(up->spectrum->method, std::string("top16"));
        select(window, {kUpProj});
        QCOMPARE(window.spectrumPlot()->plot()->graph(0)->data()->size(), 16);
        QVERIFY(!window.modelTree()->tensorItem(kUpProj)->text(ModelTree::StableRank).isEmpty());
        QTRY_VERIFY(window.layerOverview()->series("up"));

        // Once the exact spectra are stored, they show instead.
        QVERIFY(runSpectra(window));
        QVERIFY(openAndWait(window, model, 10000));
        QTRY_COMPARE(window.jobsPanel()->jobs().constFirst()->summary(),
                     QString("stored spectra shown for 16 of 16 matrices"));
        QCOMPARE(window.outcome(kUpProj)->spectrum->method, std::string("exact"));
    }

    void cancellingALongJobKeepsTheWindowUsable()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        const QString slow = test::writeSlowModel(dir.path(), 12, 1500);
        QVERIFY(openAndWait(window, slow, 10000));
        window.modelTree()->selectAll();
        QCOMPARE(window.spectrumPlot()->plot()->graphCount(), 0);
        BackgroundJob *job = window.startSpectra();
        QVERIFY(job);
        QVERIFY(!window.startSpectra()); // one spectra job at a time
        QTRY_VERIFY_WITH_TIMEOUT(job->progress().done >= 1, 20000);
        QCOMPARE(job->progress().total, 12L);
        QVERIFY(job->isRunning());
        // Live: what finished is already in the window (its outcome is queued before the progress report).
        QVERIFY(window.outcome(QString::fromStdString(job->progress().message)));
        QVERIFY(window.spectrumPlot()->plot()->graphCount() >= 1);
        QCOMPARE(window.spectrumPlot()->plot()->graph(0)->data()->size(), 1500);
        screenshot(window, "07-job-running.png");

        // The panel's Cancel button, as the user would press it.
        QPushButton *cancel = nullptr;
        for (QPushButton *button : window.jobsPanel()->findChildren<QPushButton *>())
            if (button->isEnabled() && button->text() == "Cancel")
                cancel = button;
        QVERIFY(cancel);
        QSignalSpy ended(job, &BackgroundJob::ended);
        cancel->click();
        QVERIFY(ended.wait(10000));
        QCOMPARE(job->state(), BackgroundJob::State::Cancelled); // a job that ran to the end would say Finished

        // What finished was saved, atomically: the file is a valid workspace of this model.
        const QString workspace = window.workspacePath(slow);
        if (QFileInfo::exists(workspace)) {
            const auto checkpoint = openCheckpoint(slow.toStdString());
            const auto saved = Workspace::open(workspace.toStdString(), {slow.toStdString(), modelFingerprint(*checkpoint)});
            QVERIFY(saved.tensors().size() >= 1 && saved.tensors().size() < 12);
        }
        QVERIFY(QDir(dir.filePath("workspaces")).entryList({"*.tmp-*"}, QDir::Files).isEmpty());

        const QString tiny = test::writeTinyLlama(dir.path());
        QVERIFY(openAndWait(window, tiny, 10000));
        QCOMPARE(window.currentPath(), tiny);
        QVERIFY(runSpectra(window));
    }

    void aJobThatFailsSaysWhyAndTheWindowCarriesOn()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        const QString model = test::writeTinyLlama(dir.path());
        QVERIFY(openAndWait(window, model, 10000));
        QVERIFY(QDir().mkpath(dir.filePath("workspaces")));
        test::writeFile(window.workspacePath(model), "not a workspace");
        BackgroundJob *job = runSpectra(window);
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Failed);
        QVERIFY2(job->summary().contains(window.workspacePath(model)), qPrintable(job->summary()));
        QCOMPARE(window.jobsPanel()->statusText(job), QString("failed"));
        QVERIFY(window.jobsPanel()->logText().contains(job->summary()));
        screenshot(window, "08-job-failed.png");

        QFile::remove(window.workspacePath(model));
        BackgroundJob *retry = runSpectra(window);
        QVERIFY(retry);
        QCOMPARE(retry->state(), BackgroundJob::State::Finished);
    }

    void recentFilesAndTheWindowLayoutAreKept()
    {
        QTemporaryDir dir;
        const QString model = test::writeTinyLlama(dir.path());
        {
            MainWindow window;
            QVERIFY(showAndOpen(window, dir, model, 10000));
            QCOMPARE(window.recentFiles().constFirst(), model);
            window.resize(1111, 777);
            window.close();
        }
        MainWindow again;
        again.setWorkspaceFolder(dir.filePath("workspaces"));
        QCOMPARE(again.size(), QSize(1111, 777));
        QCOMPARE(again.recentFiles(), QStringList{model});
        QAction *recent = menuAction(again, "1  tiny-llama.safetensors");
        QVERIFY(recent);
        QSignalSpy opened(&again, &MainWindow::modelOpened);
        recent->trigger();
        QVERIFY(opened.wait(10000));
        QCOMPARE(again.currentPath(), model);
        menuAction(again, "Clear the list")->trigger();
        QVERIFY(again.recentFiles().isEmpty());
    }

    void droppingAFileOrFolderOpensIt()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        const QString model = test::writeTinyLlama(dir.path());
        QVERIFY(!drop(window, {QUrl::fromLocalFile(model), QUrl::fromLocalFile(model)})); // one at a time
        QVERIFY(!drop(window, {QUrl("https://example.org/model.safetensors")}));
        QSignalSpy opened(&window, &MainWindow::modelOpened);
        QVERIFY(drop(window, {QUrl::fromLocalFile(model)}));
        QVERIFY(opened.wait(10000));
        QCOMPARE(window.currentPath(), model);
    }

    void aDamagedFileSaysWhyInADialogAndKeepsTheModel()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        const QString model = test::writeTinyLlama(dir.path());
        QVERIFY(openAndWait(window, model, 10000));
        const QString damaged = dir.filePath("damaged.safetensors");
        test::writeFile(damaged, QByteArray("\xff\xff\xff\xff\xff\xff\xff\x7f{", 9)); // a header longer than the file
        QSignalSpy failed(&window, &MainWindow::openFailed);
        window.openModel(damaged);
        QVERIFY(failed.wait(10000));
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = window.findChild<QMessageBox *>("openError")) && box->isVisible());
        QCOMPARE(box->text(), window.lastError()); // the reader's own line
        QVERIFY2(box->text().contains(damaged), qPrintable(box->text()));
        QCOMPARE(box->informativeText(), QString("tiny-llama.safetensors stays open."));
        QVERIFY(box->windowModality() != Qt::ApplicationModal);
        screenshot(*box, "14-open-error.png");
        box->accept();
        QCOMPARE(window.currentPath(), model);
        QCOMPARE(window.modelTree()->topLevelItemCount(), 3);
    }

    void shortcutsReachFindAndCancel()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(openAndWait(window, test::writeSlowModel(dir.path(), 4, 1500), 10000));
        QTest::qWait(50); // the stored-spectra check is not started: no workspace yet

        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
        QVERIFY(window.filterBox()->hasFocus());

        // Ctrl+. from anywhere stops the running job …
        BackgroundJob *job = window.startSpectra();
        QVERIFY(job);
        QSignalSpy ended(job, &BackgroundJob::ended);
        QTest::keyClick(&window, Qt::Key_Period, Qt::ControlModifier);
        QVERIFY(ended.wait(10000));
        QCOMPARE(job->state(), BackgroundJob::State::Cancelled);

        // … and Esc inside the Jobs panel.
        BackgroundJob *next = window.startSpectra();
        QVERIFY(next);
        QSignalSpy nextEnded(next, &BackgroundJob::ended);
        QWidget *list = window.jobsPanel()->findChild<QTreeWidget *>();
        list->setFocus();
        QTest::keyClick(list, Qt::Key_Escape);
        QVERIFY(nextEnded.wait(10000));
        QCOMPARE(next->state(), BackgroundJob::State::Cancelled);
    }

    void aboutBoxNamesTheLicenses()
    {
        MainWindow window;
        window.show();
        menuAction(window, "About Sculpt")->trigger();
        QMessageBox *box = window.findChild<QMessageBox *>("about");
        QVERIFY(box && box->isVisible());
        const QString text = box->text() + box->informativeText();
        for (const char *license : {"GPL-3.0-or-later", "QCustomPlot — GPL-3.0", "LGPL-3.0", "LibTorch", "BSD-3-Clause"})
            QVERIFY2(text.contains(license), license);
        screenshot(*box, "15-about.png");
        box->accept();
    }

    void followsADarkPalette()
    {
        QTemporaryDir dir;
        const QPalette light = QApplication::palette();
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x30, 0x30, 0x30));
        dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
        dark.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2a, 0x2a));
        for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
            dark.setColor(role, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::Button, QColor(0x3a, 0x3a, 0x3a));
        dark.setColor(QPalette::Highlight, QColor(0x3d, 0x6e, 0xa8));
        dark.setColor(QPalette::PlaceholderText, QColor(0x90, 0x90, 0x90));
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        QVERIFY(openAndWait(window, test::writeTinyLlama(dir.path()), 10000));
        QVERIFY(runSpectra(window));
        select(window, {kUpProj});
        QApplication::setPalette(dark); // as the desktop does when it switches to dark mode
        QTest::qWait(30);
        for (QCustomPlot *plot : {window.spectrumPlot()->plot(), window.esdPlot()->plot(), window.layerOverview()->plot()}) {
            const QImage drawn = plot->toPixmap(400, 300).toImage();
            QCOMPARE(drawn.pixelColor(2, 2), QColor(0x20, 0x20, 0x20)); // the palette's base, not white
        }
        screenshot(window, "16-dark-spectrum.png");
        window.views()->setCurrentIndex(1);
        screenshot(window, "17-dark-esd.png");
        window.views()->setCurrentIndex(2);
        screenshot(window, "18-dark-layers.png");
        QApplication::setPalette(light);
    }

    void stories260K()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.path());
        window.show();
        QVERIFY(openAndWait(window, path, 10000));
        BackgroundJob *job = runSpectra(window);
        QVERIFY(job);
        QCOMPARE(job->summary(), QString("37 computed, 0 reused, 0 skipped")); // 5 × 7 + embedding + classifier

        select(window, {"model.layers.2.self_attn.q_proj.weight"});
        QCOMPARE(window.spectrumPlot()->plot()->graph(0)->data()->size(), 64);
        window.modelTree()->clearSelection();
        window.modelTree()->topLevelItem(3)->setSelected(true); // block 2: q k v o gate up down
        QCOMPARE(window.spectrumPlot()->plot()->graphCount(), 7);
        window.spectrumPlot()->setRank(16);
        screenshot(window, "09-stories260K-block2.png");
        window.views()->setCurrentWidget(window.esdPlot());
        QCOMPARE(window.esdPlot()->histogram().total, 64L);
        screenshot(window, "09-stories260K-esd.png");
        window.views()->setCurrentWidget(window.layerOverview());
        QTRY_COMPARE(window.layerOverview()->roles(), (QStringList{"q", "k", "v", "o", "gate", "up", "down"}));
        for (const QString &role : window.layerOverview()->roles())
            QCOMPARE(window.layerOverview()->series(role)->data()->size(), 5);
        screenshot(window, "09-stories260K-layers.png");
    }
};

QTEST_MAIN(TestWorkbench)
#include "test_workbench.moc"
