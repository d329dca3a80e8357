#include "main_window.h"

#include "io/checkpoint.h"
#include "io/formats.h"
#include "model/inventory.h"
#include "model_tree.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace sculpt {

// What a background open hands back to the GUI thread. Errors travel as text so that
// nothing but Qt's own exception transport crosses threads.
struct OpenedModel {
    std::unique_ptr<Checkpoint> checkpoint;
    ModelInventory inventory;
    QString error;
};

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), tree_(new ModelTree), summary_(new QLabel), progress_(new QProgressBar),
      cancel_(new QPushButton(tr("Cancel")))
{
    setWindowTitle(tr("Sculpt"));
    resize(1100, 750);

    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    summary_->setText(tr("Open a checkpoint (File ▸ Open) to see its tensors."));
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(summary_);
    layout->addWidget(tree_);
    setCentralWidget(central);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open checkpoint…"), QKeySequence::Open, this, &MainWindow::chooseFile);
    file->addAction(tr("Open model &folder…"), this, &MainWindow::chooseFolder);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    progress_->setMaximumWidth(200);
    progress_->hide();
    cancel_->hide();
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancel_);
    connect(cancel_, &QPushButton::clicked, this, &MainWindow::cancelOpen);

    connect(&watcher_, &QFutureWatcher<std::shared_ptr<OpenedModel>>::finished, this, &MainWindow::onOpenFinished);
}

MainWindow::~MainWindow() { watcher_.waitForFinished(); }

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

void MainWindow::openModel(const QString &path)
{
    if (watcher_.isRunning())
        return; // one open at a time; the menu can be used again when it ends
    statusBar()->showMessage(tr("Opening %1…").arg(path));
    progress_->setRange(0, 0); // busy until the job reports a total
    progress_->show();
    cancel_->show();
    cancelRequested_ = std::make_shared<std::atomic<bool>>(false);
    // Progress arrives on the pool thread; hop to the GUI thread, and drop it if the
    // window is gone by then.
    QPointer<MainWindow> self(this);
    auto report = [self](const Progress &p) {
        QMetaObject::invokeMethod(self, [self, p] {
            if (self)
                self->showProgress(p.done, p.total, QString::fromStdString(p.message));
        }, Qt::QueuedConnection);
    };
    watcher_.setFuture(QtConcurrent::run([path, report, cancel = cancelRequested_] {
        auto opened = std::make_shared<OpenedModel>();
        try {
            const JobContext job(report, cancel.get());
            opened->checkpoint = openCheckpoint(path.toStdString(), job);
            opened->inventory = buildInventory(*opened->checkpoint);
        } catch (const Cancelled &) {
            opened->error = tr("Opening %1 was cancelled").arg(path);
        } catch (const std::exception &e) {
            opened->error = QString::fromUtf8(e.what());
        }
        return opened;
    }));
}

void MainWindow::cancelOpen()
{
    if (cancelRequested_)
        cancelRequested_->store(true);
}

void MainWindow::showProgress(long done, long total, const QString &message)
{
    if (!watcher_.isRunning())
        return;
    progress_->setRange(0, static_cast<int>(total));
    progress_->setValue(static_cast<int>(done));
    if (!message.isEmpty())
        statusBar()->showMessage(message);
}

void MainWindow::onOpenFinished()
{
    auto opened = watcher_.result();
    progress_->hide();
    cancel_->hide();
    if (!opened->error.isEmpty()) {
        lastError_ = opened->error;
        statusBar()->showMessage(opened->error);
        Q_EMIT openFailed(opened->error);
        return;
    }
    model_ = std::move(opened);
    const Checkpoint &checkpoint = *model_->checkpoint;
    currentPath_ = QString::fromStdString(checkpoint.path());
    lastError_.clear();
    tree_->showModel(checkpoint, model_->inventory);
    summary_->setText(tr("<b>%1</b> — %2, %3, %4 parameters in %5 blocks")
                          .arg(currentPath_.toHtmlEscaped(), QString::fromStdString(checkpoint.format()),
                               QString::fromUtf8(architectureName(model_->inventory.architecture).data()),
                               QLocale().toString(static_cast<qulonglong>(checkpoint.parameterCount())))
                          .arg(model_->inventory.blocks().size()));
    setWindowTitle(tr("%1 — Sculpt").arg(QFileInfo(currentPath_).fileName()));
    statusBar()->showMessage(tr("Opened %1").arg(currentPath_), 5000);
    Q_EMIT modelOpened(currentPath_);
}

} // namespace sculpt
