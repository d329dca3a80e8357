#include "main_window.h"

#include "adapt/peft_folder.h"
#include "analysis/content_hash.h"
#include "analysis/head_spectra.h"
#include "analysis/lora_spectra.h"
#include "background_job.h"
#include "adaptation_controller.h"
#include "adaptation_view.h"
#include "adapter_importance_chart.h"
#include "adapter_pruning_controller.h"
#include "expert_routing_map.h"
#include "cluster_controller.h"
#include "diff_controller.h"
#include "diff_view.h"
#include "file_choice.h"
#include "compression_controller.h"
#include "head_score_controller.h"
#include "head_score_map.h"
#include "compression_view.h"
#include "esd_plot.h"
#include "evaluate_dialog.h"
#include "evaluation_table.h"
#include "filter_box.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "jobs_panel.h"
#include "layer_overview.h"
#include "layout_generation_controller.h"
#include "layouts_controller.h"
#include "layouts_view.h"
#include "loss_curve.h"
#include "model/inventory.h"
#include "model_tree.h"
#include "peft_controller.h"
#include "runtime/families/vit/vit_config.h"
#include "runtime/families/vit/vit_head_slices.h"
#include "runtime/model_kind.h"
#include "side_by_side_controller.h"
#include "side_by_side_view.h"
#include "vision_language_controller.h"
#include "vision_language_view.h"
#include "spectrum_plot.h"
#include "stored_spectra.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

namespace sculpt {

// What a background open hands back to the GUI thread. Jobs that work on the model keep
// it alive through their copy of the pointer, even after another model is opened.
struct OpenedModel {
    std::unique_ptr<Checkpoint> checkpoint;
    ModelInventory inventory;
    QString peftFolder;                      // a PEFT LoRA folder opened on this base, or none
    std::shared_ptr<const LoraSpectra> lora; // its updates' spectra
};

namespace {

// Counts a spectra job's outcomes; only touched under the job's lock.
struct Tally {
    long computed = 0, reused = 0, skipped = 0;

    QString line(const SpectrumOutcome &o)
    {
        const QString name = QString::fromStdString(o.name);
        if (!o.spectrum) {
            ++skipped;
            return QObject::tr("skipped   %1: %2").arg(name, QString::fromStdString(o.skipped));
        }
        const TensorSpectrum &s = *o.spectrum;
        const QString size = QStringLiteral("%1 × %2").arg(s.rows).arg(s.cols);
        if (o.reused) {
            ++reused;
            return QObject::tr("reused    %1 (%2)").arg(name, size);
        }
        ++computed;
        return QObject::tr("computed  %1 (%2) in %3 s").arg(name, size).arg(s.seconds, 0, 'f', 2);
    }

    QString summary() const
    {
        return QObject::tr("%1 computed, %2 reused, %3 skipped").arg(computed).arg(reused).arg(skipped);
    }
};

constexpr int kRecentLimit = 10;
const QString kRecentKey = QStringLiteral("recentFiles");
const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kStateKey = QStringLiteral("window/state");
const QString kSplitterKey = QStringLiteral("window/splitter");

// The one local file or folder a drag carries, or nothing when it carries anything else.
QString droppedPath(const QMimeData *mime)
{
    const QList<QUrl> urls = mime ? mime->urls() : QList<QUrl>();
    return urls.size() == 1 && urls.constFirst().isLocalFile() ? urls.constFirst().toLocalFile() : QString();
}

// The PEFT folder `path` is, or whose adapter_config.json it is; empty for anything else.
QString peftFolderOf(const QString &path)
{
    const QFileInfo info(path);
    if (info.isDir())
        return QFileInfo::exists(QDir(path).filePath(QLatin1String(kPeftConfigFile))) ? QDir(path).absolutePath() : QString();
    return info.fileName() == QLatin1String(kPeftConfigFile) ? info.absolutePath() : QString();
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), tree_(new ModelTree), filter_(new FilterBox), plot_(new SpectrumPlot),
      esd_(new EsdPlot), overview_(new LayerOverview), compressionView_(new CompressionView),
      sideBySideView_(new SideBySideView), headScoreMap_(new HeadScoreMap), adapterChart_(new AdapterImportanceChart),
      routingMap_(new ExpertRoutingMap), adaptationView_(new AdaptationView),
      visionLanguageView_(new VisionLanguageView), layoutsView_(new LayoutsView), views_(new QTabWidget),
      splitter_(new QSplitter), jobs_(new JobsPanel), evaluations_(new EvaluationTable),
      evaluationsDock_(new QDockWidget(tr("Evaluations"))),
      compression_(new CompressionController(compressionView_, jobs_, this)),
      adaptation_(new AdaptationController(adaptationView_, jobs_, this)),
      headScores_(new HeadScoreController(headScoreMap_, adaptation_, this)),
      adapterPruning_(new AdapterPruningController(adapterChart_, routingMap_, adaptation_, this)),
      sideBySide_(new SideBySideController(sideBySideView_, compression_, jobs_, this)),
      visionLanguage_(new VisionLanguageController(visionLanguageView_, compression_, jobs_, this)),
      layouts_(new LayoutsController(layoutsView_, jobs_, this)),
      layoutGeneration_(new LayoutGenerationController(layoutsView_, compression_, jobs_, this)),
      peft_(new PeftController(jobs_, this)), cluster_(new ClusterController(jobs_, this)), diffView_(new DiffView),
      diff_(new DiffController(diffView_, jobs_, this)), summary_(new QLabel),
      workspaceFolder_(qEnvironmentVariable("SCULPT_WORKSPACE_DIR"))
{
    setWindowTitle(tr("Sculpt"));
    resize(1400, 860);

    auto *browser = new QWidget;
    auto *browserLayout = new QVBoxLayout(browser);
    browserLayout->setContentsMargins(0, 0, 0, 0);
    browserLayout->addWidget(filter_);
    browserLayout->addWidget(tree_);
    views_->addTab(plot_, tr("Spectrum"));
    views_->setTabToolTip(0, tr("Singular values σ_i of the selected tensors, with the rank cursor"));
    views_->addTab(esd_, tr("ESD"));
    views_->setTabToolTip(1, tr("Empirical spectral density: the histogram of λ = σ² with its fitted power law"));
    views_->addTab(overview_, tr("Layers"));
    views_->setTabToolTip(2, tr("A metric across depth, one series per role, and every matrix's metrics in a table"));
    views_->addTab(compressionView_, tr("Compression"));
    views_->setTabToolTip(3, tr("Compression passes of this model: their loss curves, ratios and exports"));
    views_->addTab(sideBySideView_, tr("Side by side"));
    views_->setTabToolTip(4, tr("The original and the chosen pass's compressed model: sizes, perplexity, ranks and "
                                "generations"));
    views_->addTab(headScoreMap_, tr("Heads"));
    views_->setTabToolTip(5, tr("Every attention head's importance for an image task, and the heads a mask removes"));
    auto *adapters = new QSplitter(Qt::Vertical);
    adapters->addWidget(adapterChart_);
    adapters->addWidget(routingMap_);
    adapters->setStretchFactor(0, 3);
    adapters->setStretchFactor(1, 1);
    views_->addTab(adapters, tr("Adapters"));
    views_->setTabToolTip(6, tr("Every adapter's importance for an image task, the ones pruning removes and the "
                                "adapters that serve their positions; Lily's routers' weights per expert"));
    views_->addTab(adaptationView_, tr("Adaptation"));
    views_->setTabToolTip(7, tr("Runs that fine-tuned this model on an image task: their curves, and the starting "
                                "model's and the result's predictions side by side"));
    views_->addTab(visionLanguageView_, tr("Vision-language"));
    views_->setTabToolTip(8, tr("Images and a prompt put to this model and up to two others (its passes, or model "
                                "folders): their answers side by side, with decoder GFLOPs and seconds"));
    views_->addTab(layoutsView_, tr("Layouts"));
    views_->setTabToolTip(9, tr("Manga and comic page layouts from annotation files: panels in reading order, text "
                                "areas, MangaDiffusion's panel conditioning, and layouts a layout model generates"));
    views_->addTab(diffView_, tr("Diff"));
    views_->setTabToolTip(10, tr("The open model against another checkpoint (File ▸ Compare with…, or drop it here): "
                                 "what changed where, tensor by tensor"));
    splitter_->addWidget(browser);
    splitter_->addWidget(views_);
    splitter_->setStretchFactor(0, 1);
    splitter_->setStretchFactor(1, 1);
    splitter_->setSizes({700, 700});

    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    summary_->setText(tr("Open a checkpoint (File ▸ Open, or drop a file or folder here) to see its tensors."));
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(summary_);
    layout->addWidget(splitter_, 1);
    setCentralWidget(central);

    auto *dock = new QDockWidget(tr("Jobs"));
    dock->setObjectName(QStringLiteral("jobs"));
    dock->setWidget(jobs_);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    evaluationsDock_->setObjectName(QStringLiteral("evaluations"));
    evaluationsDock_->setWidget(evaluations_);
    addDockWidget(Qt::BottomDockWidgetArea, evaluationsDock_);
    tabifyDockWidget(dock, evaluationsDock_);
    dock->raise();
    resizeDocks({dock}, {190}, Qt::Vertical);

    buildMenus(dock);

    connect(filter_, &FilterBox::filterChanged, tree_, &ModelTree::setFilter);
    connect(tree_, &ModelTree::tensorSelectionChanged, this, &MainWindow::showSelection);
    // The ESD shows the matrix the rank cursor is on; choosing one in either view moves both.
    connect(plot_, &SpectrumPlot::cursorChanged, this, [this] { esd_->setCurrent(plot_->cursorSpectrum()); });
    connect(esd_, &EsdPlot::currentChanged, plot_, &SpectrumPlot::setCursorSpectrum);
    // The overview's energy is taken at the rank cursor's target compression.
    connect(plot_, &SpectrumPlot::cursorChanged, this, [this] { overview_->setTargetRatio(plot_->targetRatio()); });
    connect(overview_, &LayerOverview::tensorChosen, this, &MainWindow::chooseTensor);
    connect(overview_, &LayerOverview::exportCsvRequested, this, &MainWindow::chooseTableFile);
    connect(evaluations_, &EvaluationTable::exportCsvRequested, this, &MainWindow::chooseEvaluationsFile);
    connect(jobs_, &JobsPanel::jobEnded, this, &MainWindow::announceEnd);
    connect(compressionView_, &CompressionView::compareRequested, this,
            [this] { views_->setCurrentWidget(sideBySideView_); });
    // The spectrum plot shows what the chosen pass did to the selected matrix.
    connect(compression_, &CompressionController::currentPassChanged, this, &MainWindow::showSelection);
    connect(cluster_, &ClusterController::merged, this, &MainWindow::loadWorkspace); // results appear as parts merge
    connect(diff_, &DiffController::started, this, [this] { views_->setCurrentWidget(diffView_); });
    connect(compression_, &CompressionController::clusterRequested, cluster_, &ClusterController::submitCompression);
    connect(headScores_, &HeadScoreController::scored, this, [this] { views_->setCurrentWidget(headScoreMap_); });
    connect(adaptationView_, &AdaptationView::runSelected, headScores_, &HeadScoreController::showRun);
    connect(adapterPruning_, &AdapterPruningController::pruned, this, [this] { views_->setCurrentWidget(adapterChart_->parentWidget()); });
    connect(adaptationView_, &AdaptationView::runSelected, adapterPruning_, &AdapterPruningController::showRun);
    connect(adaptation_, &AdaptationController::started, this, [this](BackgroundJob *job) {
        views_->setCurrentWidget(adaptationView_);
        statusBar()->showMessage(tr("%1 running — see the Jobs panel").arg(job->title()), 5000);
    });
    connect(headScoreMap_, &HeadScoreMap::headClicked, this, &MainWindow::showHead);
    connect(visionLanguage_, &VisionLanguageController::evaluated, this, [this](const std::vector<Evaluation> &stored) {
        for (const Evaluation &e : stored)
            takeEvaluation(e);
    });
    connect(layouts_, &LayoutsController::opened, this, [this](const QString &path) {
        views_->setCurrentWidget(layoutsView_);
        statusBar()->showMessage(tr("Read the layouts of %1").arg(path), 8000);
    });
    connect(layouts_, &LayoutsController::failed, this, [this](const QString &line) {
        views_->setCurrentWidget(layoutsView_);
        statusBar()->showMessage(line, 10000);
    });
    connect(peft_, &PeftController::started, this, [this](BackgroundJob *job) {
        statusBar()->showMessage(tr("%1 running — see the Jobs panel").arg(job->title()), 5000);
    });
    connect(compression_, &CompressionController::started, this, [this](BackgroundJob *job) {
        views_->setCurrentWidget(compressionView_);
        statusBar()->showMessage(tr("%1 running — see the Jobs panel").arg(job->title()), 5000);
    });
    setAcceptDrops(true);
    updateActions();

    const QSettings settings;
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
    splitter_->restoreState(settings.value(kSplitterKey).toByteArray());
}

// The jobs hold `this` for their queued updates: they must stop before anything goes.
MainWindow::~MainWindow()
{
    cluster_->leave(); // its jobs stop following; the runs go on on the cluster
    jobs_->cancelAll();
    for (BackgroundJob *job : jobs_->jobs())
        job->waitForFinished();
}

void MainWindow::buildMenus(QDockWidget *jobsDock)
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open checkpoint…"), QKeySequence::Open, this, &MainWindow::chooseFile);
    file->addAction(tr("Open model &folder…"), QKeySequence(tr("Ctrl+Shift+O")), this, &MainWindow::chooseFolder);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    showRecentFiles();
    file->addAction(layouts_->openAction());
    file->addAction(layouts_->openFolderAction());
    file->addSeparator();
    file->addAction(tr("&Export plot…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::choosePlotFile)
        ->setStatusTip(tr("Save the plot of the current tab as PNG, PDF or SVG"));
    file->addAction(tr("Export metrics &table…"), QKeySequence(tr("Ctrl+Shift+E")), this, &MainWindow::chooseTableFile)
        ->setStatusTip(tr("Save the Layers tab's metrics table as CSV"));
    file->addAction(tr("Export e&valuations…"), this, &MainWindow::chooseEvaluationsFile)
        ->setStatusTip(tr("Save the Evaluations table as CSV"));
    file->addAction(peft_->mergeAction());
    file->addAction(diff_->compareAction());
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Filter tensors"), QKeySequence::Find, this, [this] {
        filter_->setFocus();
        filter_->selectAll();
    });
    view->addAction(jobsDock->toggleViewAction());
    view->addAction(evaluationsDock_->toggleViewAction());

    QMenu *analyse = menuBar()->addMenu(tr("&Analyse"));
    spectraAction_ = analyse->addAction(tr("Compute &spectra"), QKeySequence(tr("Ctrl+R")), this,
                                        [this] { startSpectra(); });
    spectraAction_->setStatusTip(tr("Exact singular values of every weight matrix, kept in the model's workspace"));
    previewAction_ = analyse->addAction(tr("Compute &top-k preview…"), this, &MainWindow::askTopK);
    previewAction_->setStatusTip(tr("Randomized estimate of each matrix's largest singular values: fast, approximate"));
    analyse->addAction(cluster_->spectraAction());
    analyse->addAction(cluster_->settingsAction());
    evaluateAction_ = analyse->addAction(tr("&Evaluate…"), QKeySequence(tr("Ctrl+Shift+R")), this,
                                         &MainWindow::askEvaluation);
    evaluateAction_->setStatusTip(canEvaluate() ? tr("Perplexity on a text, or accuracy on an image set, kept in the workspace")
                                                : tr("This build cannot run models (configured without LibTorch)"));
    analyse->addAction(adaptation_->adaptAction());
    analyse->addAction(headScores_->scoreAction());
    analyse->addAction(headScores_->maskAction());
    analyse->addAction(adapterPruning_->pruneAction());
    analyse->addSeparator();
    // Esc does the same inside the Jobs panel; Ctrl+. works from anywhere in the window.
    analyse->addAction(tr("C&ancel job"), QKeySequence(tr("Ctrl+.")), jobs_, &JobsPanel::cancelSelected)
        ->setStatusTip(tr("Stop the job selected in the Jobs panel, else the newest running one"));
    analyse->addAction(tr("&Cancel all jobs"), jobs_, &JobsPanel::cancelAll);

    QMenu *compress = menuBar()->addMenu(tr("&Compress"));
    compress->addAction(compression_->compressAction());
    compress->addAction(compression_->exportAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Sculpt"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

QStringList MainWindow::recentFiles() const { return QSettings().value(kRecentKey).toStringList(); }

void MainWindow::remember(const QString &path)
{
    QStringList recent = recentFiles();
    recent.removeAll(path);
    recent.prepend(path);
    QSettings().setValue(kRecentKey, recent.mid(0, kRecentLimit));
    showRecentFiles();
}

void MainWindow::showRecentFiles()
{
    recentMenu_->clear();
    const QStringList recent = recentFiles();
    for (qsizetype i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        // &1 … &9 and 1&0: the digit is the keyboard accelerator.
        const QString number = i < 9 ? QStringLiteral("&%1").arg(i + 1) : QStringLiteral("1&0");
        QAction *action = recentMenu_->addAction(QStringLiteral("%1  %2").arg(number, QFileInfo(path).fileName()),
                                                 this, [this, path] { openModel(path); });
        action->setStatusTip(path);
        action->setToolTip(path);
    }
    recentMenu_->addSeparator();
    recentMenu_->addAction(tr("&Clear the list"), this, [this] {
        QSettings().remove(kRecentKey);
        showRecentFiles();
    })->setEnabled(!recent.isEmpty());
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("about"));
    box->setWindowTitle(tr("About Sculpt"));
    box->setIconPixmap(windowIcon().pixmap(64));
    box->setTextFormat(Qt::RichText);
    box->setText(tr("<h3>Sculpt %1</h3><p>A workbench for model surgery: open a checkpoint, see every layer's "
                    "spectrum, decide what to cut.</p>"
                    "<p>Sculpt is free software under the GNU General Public License, version 3 or later "
                    "(GPL-3.0-or-later), with no warranty.</p>")
                     .arg(QCoreApplication::applicationVersion().toHtmlEscaped()));
    box->setInformativeText(tr("<p>Built on:</p><ul>"
                               "<li>Qt %1 — LGPL-3.0</li>"
                               "<li>QCustomPlot — GPL-3.0</li>"
                               "<li>LibTorch (PyTorch), in the model runtime (Evaluate, Compress, sculpt-cli) — BSD-3-Clause</li>"
                               "<li>OpenBLAS and LAPACK — BSD-3-Clause</li>"
                               "<li>HDF5 — BSD-3-Clause</li>"
                               "<li>nlohmann/json — MIT; xxHash — BSD-2-Clause; minizip — Zlib</li></ul>")
                                .arg(QString::fromLatin1(qVersion())));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // window-modal, and the event loop goes on
}

void MainWindow::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open checkpoint"), {},
        checkpointFilter());
    if (!path.isEmpty())
        openModel(path);
}

void MainWindow::chooseFolder()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open Hugging Face model or PEFT adapter folder"));
    if (!path.isEmpty())
        openModel(path);
}

void MainWindow::choosePlotFile()
{
    QString filter;
    QString path = QFileDialog::getSaveFileName(this, tr("Export plot"), exportStem(currentPlotName()) + QStringLiteral(".png"),
                                                tr("PNG image (*.png);;PDF document (*.pdf);;SVG drawing (*.svg)"),
                                                &filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty()) // take the format from the chosen filter
        path += filter.contains(QLatin1String("pdf")) ? QStringLiteral(".pdf")
                : filter.contains(QLatin1String("svg")) ? QStringLiteral(".svg")
                                                         : QStringLiteral(".png");
    savePlot(path);
}

void MainWindow::chooseTableFile()
{
    const QString path = chooseCsvFile(this, tr("Export metrics table"), exportStem(tr("metrics")) + QStringLiteral(".csv"));
    if (!path.isEmpty())
        saveTable(path);
}

void MainWindow::chooseEvaluationsFile()
{
    const QString path =
        chooseCsvFile(this, tr("Export evaluations"), exportStem(tr("evaluations")) + QStringLiteral(".csv"));
    if (!path.isEmpty())
        saveEvaluations(path);
}

// "stories260K-esd": what a researcher would name the file, in the model's folder.
QString MainWindow::exportStem(const QString &what) const
{
    return currentPath_.isEmpty() ? what : QFileInfo(currentPath_).completeBaseName() + QLatin1Char('-') + what;
}

void MainWindow::askTopK()
{
    bool ok = false;
    const int k = QInputDialog::getInt(this, tr("Top-k preview"),
                                       tr("Largest singular values to estimate per matrix\n"
                                          "(randomized, with an error bound; much faster than exact):"),
                                       64, 1, 16384, 1, &ok);
    if (ok)
        startSpectra(k);
}

void MainWindow::openModel(const QString &path)
{
    if (const QString peft = peftFolderOf(path); !peft.isEmpty())
        openPeft(peft);
    else
        startOpen(path, {});
}

void MainWindow::openPeft(const QString &folder, const QString &base)
{
    if (openJob_ && openJob_->isRunning())
        return; // one open at a time
    std::string named;
    QString found = base;
    try { // a small JSON file: quick enough for the GUI thread
        named = readPeftConfig(folder.toStdString()).baseModelNameOrPath;
        if (found.isEmpty())
            found = QString::fromStdString(resolvePeftBase(folder.toStdString()));
    } catch (const std::exception &e) {
        refuseOpen(QString::fromUtf8(e.what()), false);
        return;
    }
    if (!found.isEmpty()) {
        startOpen(found, folder);
        return;
    }
    // A hub name, or none: the hub is out of reach, so the user says where the base is.
    const QString says = named.empty() ? tr("adapter_config.json names no base model")
                                       : tr("adapter_config.json names '%1', not a local path").arg(QString::fromStdString(named));
    auto *dialog = new QFileDialog(this, tr("Base model of %1 — %2").arg(QFileInfo(folder).fileName(), says));
    dialog->setObjectName(QStringLiteral("peftBase"));
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this, folder](const QString &chosen) { startOpen(chosen, folder); });
    connect(dialog, &QDialog::rejected, this, [this, folder, says] {
        refuseOpen(tr("%1: no base model chosen (%2)").arg(folder, says), true);
    });
    dialog->open(); // window-modal; jobs go on meanwhile
    statusBar()->showMessage(tr("%1: choose its base model").arg(says));
}

void MainWindow::refuseOpen(const QString &reason, bool cancelled)
{
    lastError_ = reason;
    if (cancelled)
        statusBar()->showMessage(model_ ? tr("%1 — %2 stays open").arg(reason, QFileInfo(currentPath_).fileName()) : reason,
                                 10000);
    else
        showOpenError(reason);
    Q_EMIT openFailed(lastError_);
}

void MainWindow::startOpen(const QString &path, const QString &peftFolder)
{
    if (openJob_ && openJob_->isRunning())
        return; // one open at a time; the menu can be used again when it ends
    auto opened = std::make_shared<OpenedModel>();
    const QString title = peftFolder.isEmpty() ? tr("Open %1").arg(QFileInfo(path).fileName())
                                               : tr("Open %1 with the LoRA adapter %2")
                                                     .arg(QFileInfo(path).fileName(), QFileInfo(peftFolder).fileName());
    auto *job = new BackgroundJob(title, [path, peftFolder, opened](const JobContext &context, const BackgroundJob::Log &log) {
        log(path);
        opened->checkpoint = openCheckpoint(path.toStdString(), context);
        opened->inventory = buildInventory(*opened->checkpoint);
        QString summary = tr("%n tensor(s)", nullptr, int(opened->checkpoint->tensors().size()));
        if (peftFolder.isEmpty())
            return summary;
        log(tr("LoRA adapter %1").arg(peftFolder));
        opened->lora = std::make_shared<const LoraSpectra>(loraSpectra(peftFolder.toStdString(), *opened->checkpoint, context));
        opened->peftFolder = peftFolder;
        return summary + tr(", ΔW spectra of %n LoRA module(s)", nullptr, int(opened->lora->deltas.size()));
    });
    connect(job, &BackgroundJob::ended, this, [this, job, opened, path] {
        if (job->state() == BackgroundJob::State::Finished) {
            adopt(opened);
            return;
        }
        const bool cancelled = job->state() == BackgroundJob::State::Cancelled;
        refuseOpen(cancelled ? tr("Opening %1 was cancelled").arg(path) : job->summary(), cancelled);
    });
    openJob_ = job;
    jobs_->add(job);
    job->start();
    statusBar()->showMessage(tr("Opening %1…").arg(path));
}

void MainWindow::showOpenError(const QString &reason)
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Cannot open the model"), reason, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("openError"));
    if (model_)
        box->setInformativeText(tr("%1 stays open.").arg(QFileInfo(currentPath_).fileName()));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // window-modal, not exec(): the jobs and the window carry on meanwhile
}

void MainWindow::cancelOpen()
{
    if (openJob_)
        openJob_->cancel();
}

void MainWindow::adopt(std::shared_ptr<OpenedModel> opened)
{
    model_ = std::move(opened);
    const Checkpoint &checkpoint = *model_->checkpoint;
    currentPath_ = QString::fromStdString(checkpoint.path());
    lastError_.clear();
    outcomes_.clear();
    matrices_.clear();
    evaluations_->model()->setEvaluations({});
    evaluations_->model()->setCurrentWeights({});
    for (const Weight &w : model_->inventory.weights)
        if (w.matrix)
            matrices_.insert(QString::fromStdString(w.name));
    tree_->showModel(checkpoint, model_->inventory);
    overview_->showModel(model_->inventory);
    compression_->setModel(std::shared_ptr<const Checkpoint>(model_, model_->checkpoint.get()), runnableKind(checkpoint),
                           workspacePath(currentPath_));
    adaptation_->setModel(std::shared_ptr<const Checkpoint>(model_, model_->checkpoint.get()), runnableKind(checkpoint),
                          workspacePath(currentPath_));
    peft_->setAdapter(model_->peftFolder, currentPath_, model_->lora);
    cluster_->setModel(currentPath_, workspacePath(currentPath_));
    diff_->setModel(std::shared_ptr<const Checkpoint>(model_, model_->checkpoint.get()), workspacePath(currentPath_));
    visionLanguage_->setModel(std::shared_ptr<const Checkpoint>(model_, model_->checkpoint.get()), readsImages(checkpoint),
                              workspacePath(currentPath_));
    layoutGeneration_->setModel(std::shared_ptr<const Checkpoint>(model_, model_->checkpoint.get()),
                                runnableKind(checkpoint) == ModelKind::Layout);
    if (const auto pattern = FilterBox::patternFor(filter_->text()))
        tree_->setFilter(*pattern);
    showSelection();
    summary_->setText(tr("<b>%1</b> — %2, %3, %4 parameters in %5 blocks")
                          .arg(currentPath_.toHtmlEscaped(), QString::fromStdString(checkpoint.format()),
                               QString::fromUtf8(architectureName(model_->inventory.architecture).data()),
                               QLocale().toString(static_cast<qulonglong>(checkpoint.parameterCount())))
                          .arg(model_->inventory.blocks().size()));
    setWindowTitle(tr("%1 — Sculpt").arg(QFileInfo(currentPath_).fileName()));
    remember(currentPath_);
    if (peft_->attached()) {
        summary_->setText(summary_->text() + QStringLiteral("<br>") + peft_->summary().toHtmlEscaped());
        remember(peft_->folder()); // reopening it from the list attaches it again
    }
    loadWorkspace();
    statusBar()->showMessage(peft_->attached() ? tr("Opened %1 with its LoRA adapter — select an adapted weight to see "
                                                    "ΔW's spectrum beside its own").arg(currentPath_)
                                               : tr("Opened %1 — Analyse ▸ Compute spectra to see its singular values").arg(currentPath_),
                             8000);
    updateActions();
    Q_EMIT modelOpened(currentPath_);
}

void MainWindow::setWorkspaceFolder(const QString &folder) { workspaceFolder_ = folder; }

QString MainWindow::workspacePath(const QString &modelPath) const
{
    const QString standard = QString::fromStdString(Workspace::defaultPath(modelPath.toStdString()));
    return workspaceFolder_.isEmpty() ? standard : QDir(workspaceFolder_).filePath(QFileInfo(standard).fileName());
}

BackgroundJob *MainWindow::startSpectra(int topK)
{
    if (!model_ || (spectraJob_ && spectraJob_->isRunning()))
        return nullptr;
    const auto model = model_;
    const QString workspace = workspacePath(currentPath_);
    const QString name = QFileInfo(currentPath_).fileName();
    const QString title = topK > 0 ? tr("Top-%1 preview of %2").arg(topK).arg(name) : tr("Spectra of %1").arg(name);
    auto work = [this, model, topK, workspace](const JobContext &context, const BackgroundJob::Log &log) {
        const Checkpoint &checkpoint = *model->checkpoint;
        auto store = Workspace::open(workspace.toStdString(), {checkpoint.path(), modelFingerprint(checkpoint)});
        log(tr("workspace %1").arg(workspace));
        SpectraOptions options;
        options.topK = topK;
        Tally tally;
        const auto show = outcomeSink(model);
        options.onOutcome = [&](const SpectrumOutcome &outcome) {
            log(tally.line(outcome));
            show(outcome);
        };
        std::exception_ptr failure;
        try {
            sculpt::computeSpectra(checkpoint, model->inventory, options, &store, context);
        } catch (...) {
            failure = std::current_exception();
        }
        store.save(); // after a cancel or a failure too, as sculpt-cli does: finished spectra are kept
        log(tr("saved the workspace"));
        if (failure)
            std::rethrow_exception(failure);
        return tally.summary();
    };
    return startTrackedJob(title, std::move(work), spectraJob_);
}

BackgroundJob *MainWindow::startTrackedJob(const QString &title, BackgroundJob::Work work,
                                           QPointer<BackgroundJob> &slot)
{
    auto *job = new BackgroundJob(title, std::move(work));
    slot = job;
    connect(job, &BackgroundJob::ended, this, &MainWindow::updateActions);
    jobs_->add(job);
    job->start();
    updateActions();
    statusBar()->showMessage(tr("%1 running — see the Jobs panel").arg(title), 5000);
    return job;
}

std::function<void(const SpectrumOutcome &)> MainWindow::outcomeSink(std::shared_ptr<OpenedModel> model)
{
    return [this, model](const SpectrumOutcome &outcome) {
        // Dropped when another model was opened meanwhile.
        QMetaObject::invokeMethod(this, [this, model, outcome] {
            if (model_ == model)
                takeOutcome(outcome);
        }, Qt::QueuedConnection);
    };
}

void MainWindow::loadWorkspace()
{
    if (loadJob_)
        loadJob_->cancel(); // the previous model's: its outcomes would be dropped anyway
    const QString workspace = workspacePath(currentPath_);
    if (!QFileInfo::exists(workspace))
        return; // nothing computed for this model yet
    const auto model = model_;
    const qsizetype matrices = matrices_.size();
    auto work = [this, model, workspace, matrices](const JobContext &context, const BackgroundJob::Log &log) {
        log(tr("workspace %1").arg(workspace));
        const Checkpoint &checkpoint = *model->checkpoint;
        const Workspace stored =
            Workspace::open(workspace.toStdString(), {checkpoint.path(), modelFingerprint(checkpoint)});
        // The evaluations at once; which were measured on these very weights once every tensor is hashed.
        const std::vector<Evaluation> evaluations = stored.evaluations();
        const std::vector<PassRecord> passes = stored.passes();
        const std::vector<AdaptationRecord> adaptations = stored.adaptations();
        // The Vision-language tab shows the last run again, its thumbnails read here.
        const std::vector<VisionLanguageRun> runs = stored.visionLanguageRuns();
        const std::vector<DiffRecord> diffs = stored.diffs();
        const auto rows = runs.empty() ? std::vector<VisionLanguageView::Row>()
                                       : VisionLanguageController::rowsOf(runs.back().images);
        QMetaObject::invokeMethod(this, [this, model, evaluations, passes, adaptations, runs, rows, diffs] {
            if (model_ != model)
                return;
            diff_->setStoredDiffs(diffs);
            evaluations_->model()->setEvaluations(evaluations);
            if (!runs.empty())
                visionLanguage_->showRun(runs.back(), rows);
            compression_->setStoredPasses(passes);
            adaptation_->setStoredRuns(adaptations);
            // The Heads tab shows the latest head scores again.
            const auto scored = std::find_if(adaptations.rbegin(), adaptations.rend(),
                                             [](const AdaptationRecord &r) { return !r.scores.values.empty(); });
            if (scored != adaptations.rend())
                headScores_->showRun(*scored);
            // And the Adapters tab the latest routers' weights, then the latest adapter scores
            // (with that run's own routers, when it has them).
            for (const auto matters : {+[](const AdaptationRecord &r) { return !r.routing.empty(); },
                                       +[](const AdaptationRecord &r) { return !r.adapterScores.empty(); }}) {
                const auto latest = std::find_if(adaptations.rbegin(), adaptations.rend(), matters);
                if (latest != adaptations.rend())
                    adapterPruning_->showRun(*latest);
            }
        }, Qt::QueuedConnection);
        const StoredSpectra found = loadStoredSpectra(checkpoint, model->inventory, stored, outcomeSink(model), context);
        const QString weights = QString::fromStdString(found.weightsHash);
        QMetaObject::invokeMethod(this, [this, model, weights] {
            if (model_ == model)
                evaluations_->model()->setCurrentWeights(weights);
        }, Qt::QueuedConnection);
        log(tr("weights hash %1").arg(weights));
        QString summary = tr("stored spectra shown for %1 of %2 matrices").arg(found.exact + found.previews).arg(matrices);
        if (found.previews > 0)
            summary += tr(", %n of them top-k previews", nullptr, int(found.previews));
        if (!evaluations.empty())
            summary += evaluations.size() == 1 ? tr("; 1 evaluation") : tr("; %1 evaluations").arg(evaluations.size());
        if (!passes.empty())
            summary += passes.size() == 1 ? tr("; 1 compression pass") : tr("; %1 compression passes").arg(passes.size());
        if (!adaptations.empty())
            summary += adaptations.size() == 1 ? tr("; 1 adaptation run") : tr("; %1 adaptation runs").arg(adaptations.size());
        if (!runs.empty())
            summary += runs.size() == 1 ? tr("; 1 vision-language run") : tr("; %1 vision-language runs").arg(runs.size());
        return summary;
    };
    auto *job = new BackgroundJob(tr("Stored results of %1").arg(QFileInfo(currentPath_).fileName()), work);
    loadJob_ = job;
    jobs_->add(job);
    job->start();
}

void MainWindow::askEvaluation()
{
    if (!model_)
        return;
    const auto kind = model_->inventory.architecture == Architecture::Vit ? EvaluateDialog::Kind::Accuracy
                                                                            : EvaluateDialog::Kind::Perplexity;
    auto *dialog = new EvaluateDialog(QFileInfo(currentPath_).fileName(), kind, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog->onCluster())
            cluster_->submitEvaluation(dialog->request());
        else
            startEvaluation(dialog->request());
    });
    dialog->open(); // window-modal; jobs go on meanwhile
}

BackgroundJob *MainWindow::startEvaluation(const EvaluationRequest &request)
{
    if (!model_ || (evaluationJob_ && evaluationJob_->isRunning()))
        return nullptr;
    const auto model = model_;
    const QString workspace = workspacePath(currentPath_);
    const QString data = QFileInfo(QString::fromStdString(request.isPerplexity() ? request.text : request.images)).fileName();
    const QString title = (request.isPerplexity() ? tr("Perplexity of %1 on %2") : tr("Accuracy of %1 on %2"))
                              .arg(QFileInfo(currentPath_).fileName(), data);
    auto work = [this, model, request, workspace](const JobContext &context, const BackgroundJob::Log &log) {
        const Checkpoint &checkpoint = *model->checkpoint;
        const ModelIdentity identity{checkpoint.path(), modelFingerprint(checkpoint)};
        Workspace::open(workspace.toStdString(), identity); // one that cannot take the result fails now, not after
        Evaluation result =
            evaluate(checkpoint, request, context, [&log](const std::string &line) { log(QString::fromStdString(line)); });
        // Read again: other jobs may have saved the workspace meanwhile.
        Workspace store = Workspace::open(workspace.toStdString(), identity);
        store.putEvaluation(result);
        store.save();
        result = store.evaluations().back();
        log(tr("saved to %1 as evaluation %2").arg(workspace, QString::fromStdString(result.id)));
        QMetaObject::invokeMethod(this, [this, model, result] {
            if (model_ == model)
                takeEvaluation(result);
        }, Qt::QueuedConnection);
        const QString value = result.inPercent() ? QStringLiteral("%1\u00a0%").arg(100 * result.value, 0, 'f', 2)
                                                 : QString::number(result.value, 'f', 3);
        return tr("%1 %2 on %3 %4")
            .arg(QString::fromStdString(result.metric), value, QLocale().toString(qlonglong(result.count)),
                 QString::fromStdString(result.counted));
    };
    return startTrackedJob(title, std::move(work), evaluationJob_);
}

void MainWindow::takeEvaluation(const Evaluation &evaluation)
{
    evaluations_->model()->addEvaluation(evaluation);
    evaluations_->model()->setCurrentWeights(QString::fromStdString(evaluation.modelHash)); // measured just now
    evaluationsDock_->show();
    evaluationsDock_->raise();
}

void MainWindow::takeOutcome(const SpectrumOutcome &outcome)
{
    const QString name = QString::fromStdString(outcome.name);
    const auto known = outcomes_.find(name);
    const bool haveExact = known != outcomes_.end() && known->second.spectrum && known->second.spectrum->method == "exact";
    if (outcome.spectrum) {
        if (haveExact && outcome.spectrum->method != "exact")
            return; // a preview never replaces the exact spectrum
        tree_->showSpectrum(*outcome.spectrum);
        overview_->showSpectrum(*outcome.spectrum);
    } else {
        if (known != outcomes_.end() && known->second.spectrum)
            return; // keep what an earlier job found
        tree_->showSkipped(name, QString::fromStdString(outcome.skipped));
    }
    outcomes_[name] = outcome;
    if (tree_->selectedTensors().contains(name))
        showSelection();
}

const SpectrumOutcome *MainWindow::outcome(const QString &tensor) const
{
    const auto found = outcomes_.find(tensor);
    return found == outcomes_.end() ? nullptr : &found->second;
}

void MainWindow::showSelection()
{
    std::vector<TensorSpectrum> spectra;
    QStringList missing;
    const QStringList selected = tree_->selectedTensors();
    overview_->setSelectedTensors(selected);
    for (const QString &name : selected) {
        const SpectrumOutcome *known = outcome(name);
        if (known && known->spectrum)
            spectra.push_back(*known->spectrum);
        else if (!known && matrices_.contains(name))
            missing << name;
        if (const TensorSpectrum *delta = peft_->deltaOf(name)) // the attached LoRA's update, beside it
            spectra.push_back(*delta);
    }
    plot_->setPassOverlay(compression_->overlayFor(selected));
    plot_->setSpectra(std::move(spectra), missing);
    esd_->setSpectra(plot_->spectra(), plot_->cursorSpectrum());
}

void MainWindow::showHead(int64_t layer, int64_t head)
{
    if (!model_)
        return;
    const auto model = model_;
    std::vector<HeadSlice> slices;
    try { // reads config.json and tensor names only: quick enough for the GUI thread
        slices = vitHeadSlices(*model->checkpoint, readVitConfig(*model->checkpoint), layer, head);
    } catch (const std::exception &e) {
        statusBar()->showMessage(tr("Layer %1, head %2: %3").arg(layer).arg(head).arg(QString::fromUtf8(e.what())), 10000);
        return;
    }
    QStringList tensors;
    for (const HeadSlice &slice : slices)
        tensors << QString::fromStdString(slice.tensor);
    tensors.removeDuplicates(); // a fused q/k/v projection holds three of the slices
    filter_->clear(); // a selection the filter hides would look like nothing happened
    tree_->selectTensors(tensors);
    views_->setCurrentWidget(plot_);
    if (headJob_)
        headJob_->cancel();
    const uint64_t click = ++headClicks_;
    auto work = [this, model, slices, click](const JobContext &context, const BackgroundJob::Log &) {
        const std::vector<TensorSpectrum> spectra = headSpectra(*model->checkpoint, slices, context);
        QMetaObject::invokeMethod(this, [this, model, spectra, click] {
            if (model_ != model || click != headClicks_)
                return; // another model or another head came since
            plot_->setPassOverlay(std::nullopt);
            plot_->setSpectra(spectra);
            esd_->setSpectra(plot_->spectra(), plot_->cursorSpectrum());
        }, Qt::QueuedConnection);
        // The status bar's word on the job's end: what the Spectrum tab now shows.
        return tr("the Spectrum tab shows its own query, key and value rows and output columns");
    };
    const QString title = tr("Spectra of layer %1, head %2 of %3").arg(layer).arg(head).arg(QFileInfo(currentPath_).fileName());
    startTrackedJob(title, std::move(work), headJob_);
}

PlotWidget *MainWindow::currentPlot() const
{
    if (views_->currentWidget() == esd_)
        return esd_;
    if (views_->currentWidget() == overview_)
        return overview_;
    if (views_->currentWidget() == compressionView_)
        return compressionView_->lossCurve();
    return plot_;
}

QString MainWindow::currentPlotName() const
{
    if (views_->currentWidget() == esd_)
        return tr("esd");
    if (views_->currentWidget() == overview_)
        return tr("layers");
    if (views_->currentWidget() == compressionView_)
        return tr("loss");
    return tr("spectra");
}

bool MainWindow::savePlot(const QString &path, QSize size)
{
    if (views_->currentWidget() == layoutsView_) {
        const bool saved = layoutsView_->exportPage(path);
        statusBar()->showMessage(layoutsView_->message(), 8000);
        return saved;
    }
    QString error;
    const QString title = tr("%1 of %2").arg(views_->tabText(views_->currentIndex()), QFileInfo(currentPath_).fileName());
    const bool saved = currentPlot()->exportPlot(path, title, size, &error);
    statusBar()->showMessage(saved ? tr("Saved the plot to %1").arg(path) : error, 8000);
    return saved;
}

bool MainWindow::saveEvaluations(const QString &path)
{
    QString error;
    const bool saved = evaluations_->exportCsv(path, &error);
    statusBar()->showMessage(saved ? tr("Saved the evaluations to %1").arg(path) : error, 8000);
    return saved;
}

bool MainWindow::saveTable(const QString &path)
{
    QString error;
    const bool saved = overview_->exportCsv(path, &error);
    statusBar()->showMessage(saved ? tr("Saved the metrics table to %1").arg(path) : error, 8000);
    return saved;
}

void MainWindow::chooseTensor(const QString &name)
{
    const QTreeWidgetItem *item = tree_->tensorItem(name);
    if (!item)
        return;
    if (item->isHidden() || item->parent()->isHidden())
        filter_->clear(); // a choice the filter hides would look like nothing happened
    tree_->selectTensor(name);
}

void MainWindow::announceEnd(BackgroundJob *job)
{
    QString message;
    switch (job->state()) {
    case BackgroundJob::State::Finished:
        message = tr("%1: done — %2").arg(job->title(), job->summary());
        break;
    case BackgroundJob::State::Cancelled:
        message = tr("%1: cancelled").arg(job->title());
        break;
    case BackgroundJob::State::Failed:
        message = tr("%1 failed: %2").arg(job->title(), job->summary());
        break;
    case BackgroundJob::State::Running:
        return;
    }
    statusBar()->showMessage(message, 10000);
    QApplication::alert(this); // flashes the taskbar entry when the user is elsewhere
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kSplitterKey, splitter_->saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedPath(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString path = droppedPath(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    openModel(path);
}

void MainWindow::updateActions()
{
    const bool idle = model_ && !(spectraJob_ && spectraJob_->isRunning());
    spectraAction_->setEnabled(idle);
    previewAction_->setEnabled(idle);
    evaluateAction_->setEnabled(model_ && canEvaluate() && !(evaluationJob_ && evaluationJob_->isRunning()));
}

} // namespace sculpt
