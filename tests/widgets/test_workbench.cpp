// The workbench window driven as a researcher would: open a model, compute its spectra as
// a job, select tensors, move the rank cursor, export the plot, cancel a long job, reopen
// and reuse the workspace. Screenshots of the main views go to <build>/tests/screenshots.

#include "analysis/content_hash.h"
#include "analysis/metrics.h"
#include "background_job.h"
#include "io/formats.h"
#include "jobs_panel.h"
#include "main_window.h"
#include "model_tree.h"
#include "small_model.h"
#include "spectrum_plot.h"
#include "workspace/workspace.h"

#include <QImage>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <qcustomplot.h>

using namespace sculpt;

namespace {

const QString kUpProj = QStringLiteral("model.layers.1.mlp.up_proj.weight"); // 128 × 48 in the tiny model

bool openAndWait(MainWindow &window, const QString &path)
{
    QSignalSpy opened(&window, &MainWindow::modelOpened);
    window.openModel(path);
    return opened.wait(10000);
}

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

void screenshot(QWidget &widget, const QString &name)
{
    const QString folder = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("screenshots"));
    QVERIFY(QDir().mkpath(folder));
    QTest::qWait(30); // let queued replots draw
    QVERIFY(widget.grab().save(QDir(folder).filePath(name)));
}

QString percentText(double fraction) { return QStringLiteral("%1 %").arg(100 * fraction, 0, 'f', 1); }

} // namespace

class TestWorkbench : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void spectraFillTheTreeAndThePlot()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        const QString model = test::writeTinyLlama(dir.path());
        QVERIFY(openAndWait(window, model));
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

    void plotExportsToPngPdfAndSvg()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        QVERIFY(openAndWait(window, test::writeTinyLlama(dir.path())));
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
        QVERIFY(openAndWait(window, model));
        QVERIFY(runSpectra(window));
        QVERIFY(openAndWait(window, model));
        QVERIFY(!window.outcome(kUpProj)); // a fresh model knows nothing until the job says
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

    void cancellingALongJobKeepsTheWindowUsable()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.show();
        const QString slow = test::writeSlowModel(dir.path(), 12, 1500);
        QVERIFY(openAndWait(window, slow));
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
        QVERIFY(openAndWait(window, tiny));
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
        QVERIFY(openAndWait(window, model));
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

    void stories260K()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.path());
        window.show();
        QVERIFY(openAndWait(window, path));
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
    }
};

QTEST_MAIN(TestWorkbench)
#include "test_workbench.moc"
