#include "main_window.h"

#include "analysis/content_hash.h"
#include "background_job.h"
#include "filter_box.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "jobs_panel.h"
#include "model/inventory.h"
#include "model_tree.h"
#include "plot_export.h"
#include "spectrum_plot.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>
#include <exception>

namespace sculpt {

// What a background open hands back to the GUI thread. Jobs that work on the model keep
// it alive through their copy of the pointer, even after another model is opened.
struct OpenedModel {
    std::unique_ptr<Checkpoint> checkpoint;
    ModelInventory inventory;
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

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), tree_(new ModelTree), filter_(new FilterBox), plot_(new SpectrumPlot),
      jobs_(new JobsPanel), summary_(new QLabel),
      workspaceFolder_(qEnvironmentVariable("SCULPT_WORKSPACE_DIR"))
{
    setWindowTitle(tr("Sculpt"));
    resize(1400, 860);

    auto *browser = new QWidget;
    auto *browserLayout = new QVBoxLayout(browser);
    browserLayout->setContentsMargins(0, 0, 0, 0);
    browserLayout->addWidget(filter_);
    browserLayout->addWidget(tree_);
    auto *splitter = new QSplitter;
    splitter->addWidget(browser);
    splitter->addWidget(plot_);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({700, 700});

    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    summary_->setText(tr("Open a checkpoint (File ▸ Open) to see its tensors."));
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(summary_);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    auto *dock = new QDockWidget(tr("Jobs"));
    dock->setObjectName(QStringLiteral("jobs"));
    dock->setWidget(jobs_);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    resizeDocks({dock}, {190}, Qt::Vertical);

    buildMenus(dock);

    connect(filter_, &FilterBox::filterChanged, tree_, &ModelTree::setFilter);
    connect(tree_, &ModelTree::tensorSelectionChanged, this, &MainWindow::showSelection);
    connect(jobs_, &JobsPanel::jobEnded, this, &MainWindow::announceEnd);
    updateActions();
}

// The jobs hold `this` for their queued updates: they must stop before anything goes.
MainWindow::~MainWindow()
{
    jobs_->cancelAll();
    for (BackgroundJob *job : jobs_->jobs())
        job->waitForFinished();
}

void MainWindow::buildMenus(QDockWidget *jobsDock)
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open checkpoint…"), QKeySequence::Open, this, &MainWindow::chooseFile);
    file->addAction(tr("Open model &folder…"), this, &MainWindow::chooseFolder);
    file->addSeparator();
    file->addAction(tr("&Export plot…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::choosePlotFile)
        ->setStatusTip(tr("Save the spectrum plot as PNG, PDF or SVG"));
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Filter tensors"), QKeySequence::Find, this, [this] {
        filter_->setFocus();
        filter_->selectAll();
    });
    view->addAction(jobsDock->toggleViewAction());

    QMenu *analyse = menuBar()->addMenu(tr("&Analyse"));
    spectraAction_ = analyse->addAction(tr("Compute &spectra"), QKeySequence(tr("Ctrl+R")), this,
                                        [this] { startSpectra(); });
    spectraAction_->setStatusTip(tr("Exact singular values of every weight matrix, kept in the model's workspace"));
    previewAction_ = analyse->addAction(tr("Compute &top-k preview…"), this, &MainWindow::askTopK);
    previewAction_->setStatusTip(tr("Randomized estimate of each matrix's largest singular values: fast, approximate"));
    analyse->addSeparator();
    analyse->addAction(tr("&Cancel all jobs"), jobs_, &JobsPanel::cancelAll);
}

void MainWindow::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open checkpoint"), {},
        tr("Checkpoints (*.safetensors *.json *.gguf *.pt *.pth *.bin);;All files (*)"));
    if (!path.isEmpty())
        openModel(path);
}

void MainWindow::chooseFolder()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open Hugging Face model folder"));
    if (!path.isEmpty())
        openModel(path);
}

void MainWindow::choosePlotFile()
{
    const QString stem = currentPath_.isEmpty() ? tr("spectra") : QFileInfo(currentPath_).completeBaseName() + tr("-spectra");
    QString filter;
    QString path = QFileDialog::getSaveFileName(this, tr("Export plot"), stem + QStringLiteral(".png"),
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
    if (openJob_ && openJob_->isRunning())
        return; // one open at a time; the menu can be used again when it ends
    auto opened = std::make_shared<OpenedModel>();
    auto *job = new BackgroundJob(tr("Open %1").arg(QFileInfo(path).fileName()),
                                  [path, opened](const JobContext &context, const BackgroundJob::Log &log) {
                                      log(path);
                                      opened->checkpoint = openCheckpoint(path.toStdString(), context);
                                      opened->inventory = buildInventory(*opened->checkpoint);
                                      return tr("%n tensor(s)", nullptr, int(opened->checkpoint->tensors().size()));
                                  });
    connect(job, &BackgroundJob::ended, this, [this, job, opened, path] {
        if (job->state() == BackgroundJob::State::Finished) {
            adopt(opened);
            return;
        }
        lastError_ = job->state() == BackgroundJob::State::Cancelled ? tr("Opening %1 was cancelled").arg(path)
                                                                     : job->summary();
        Q_EMIT openFailed(lastError_);
    });
    openJob_ = job;
    jobs_->add(job);
    job->start();
    statusBar()->showMessage(tr("Opening %1…").arg(path));
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
    for (const Weight &w : model_->inventory.weights)
        if (w.matrix)
            matrices_.insert(QString::fromStdString(w.name));
    tree_->showModel(checkpoint, model_->inventory);
    if (const auto pattern = FilterBox::patternFor(filter_->text()))
        tree_->setFilter(*pattern);
    showSelection();
    summary_->setText(tr("<b>%1</b> — %2, %3, %4 parameters in %5 blocks")
                          .arg(currentPath_.toHtmlEscaped(), QString::fromStdString(checkpoint.format()),
                               QString::fromUtf8(architectureName(model_->inventory.architecture).data()),
                               QLocale().toString(static_cast<qulonglong>(checkpoint.parameterCount())))
                          .arg(model_->inventory.blocks().size()));
    setWindowTitle(tr("%1 — Sculpt").arg(QFileInfo(currentPath_).fileName()));
    statusBar()->showMessage(tr("Opened %1 — Analyse ▸ Compute spectra to see its singular values").arg(currentPath_),
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
        options.onOutcome = [&](const SpectrumOutcome &outcome) {
            log(tally.line(outcome));
            // Dropped when another model was opened meanwhile; the workspace still gets it.
            QMetaObject::invokeMethod(this, [this, model, outcome] {
                if (model_ == model)
                    takeOutcome(outcome);
            }, Qt::QueuedConnection);
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
    auto *job = new BackgroundJob(title, work);
    spectraJob_ = job;
    connect(job, &BackgroundJob::ended, this, &MainWindow::updateActions);
    jobs_->add(job);
    job->start();
    updateActions();
    statusBar()->showMessage(tr("%1 running — see the Jobs panel").arg(title), 5000);
    return job;
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
    for (const QString &name : tree_->selectedTensors()) {
        const SpectrumOutcome *known = outcome(name);
        if (known && known->spectrum)
            spectra.push_back(*known->spectrum);
        else if (!known && matrices_.contains(name))
            missing << name;
    }
    plot_->setSpectra(std::move(spectra), missing);
}

bool MainWindow::savePlot(const QString &path, QSize size)
{
    QString error;
    const bool saved = exportPlot(*plot_->plot(), path, size, &error);
    statusBar()->showMessage(saved ? tr("Saved the plot to %1").arg(path) : error, 8000);
    return saved;
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

void MainWindow::updateActions()
{
    const bool idle = model_ && !(spectraJob_ && spectraJob_->isRunning());
    spectraAction_->setEnabled(idle);
    previewAction_->setEnabled(idle);
}

} // namespace sculpt
