#include "diff_controller.h"

#include "background_job.h"
#include "diff_view.h"
#include "file_choice.h"
#include "jobs_panel.h"

#include "diff/workspace_diff.h"
#include "io/checkpoint.h"
#include "io/formats.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QWidget>

namespace sculpt {
namespace {

// Exact spectra of every pair are cheap for a small model and hours for a 7B: above this, the
// top 64 values, as the spectra command's preview does.
constexpr uint64_t kExactUpTo = 100'000'000;

QString nameOf(const Checkpoint &checkpoint) { return QFileInfo(QString::fromStdString(checkpoint.path())).fileName(); }

} // namespace

DiffController::DiffController(DiffView *view, JobsPanel *jobs, QWidget *window)
    : QObject(window), view_(view), jobs_(jobs), window_(window), compareAction_(new QAction(tr("Compare &with…"), this))
{
    compareAction_->setStatusTip(tr("Compare the open model with another checkpoint tensor by tensor: distances, the "
                                    "spectrum of the difference, subspace overlap (the Diff tab)"));
    compareAction_->setEnabled(false);
    connect(compareAction_, &QAction::triggered, this, &DiffController::askCompare);
    connect(view_, &DiffView::compareRequested, this, &DiffController::compareWith);
    connect(view_, &DiffView::exportCsvRequested, this, &DiffController::askExport);
}

void DiffController::setModel(std::shared_ptr<const Checkpoint> checkpoint, const QString &workspace)
{
    checkpoint_ = std::move(checkpoint);
    workspace_ = workspace;
    compareAction_->setEnabled(checkpoint_ != nullptr);
    view_->showDiff({}, {});
}

void DiffController::setStoredDiffs(const std::vector<DiffRecord> &diffs)
{
    if (!diffs.empty() && checkpoint_)
        view_->showDiff(diffs.back(), nameOf(*checkpoint_));
}

void DiffController::askCompare()
{
    if (!checkpoint_)
        return;
    const QString path = QFileDialog::getOpenFileName(
        window_, tr("Compare %1 with").arg(nameOf(*checkpoint_)), QFileInfo(QString::fromStdString(checkpoint_->path())).path(),
        checkpointFilter());
    if (!path.isEmpty())
        compareWith(path);
}

BackgroundJob *DiffController::compareWith(const QString &path)
{
    if (!checkpoint_ || (job_ && job_->isRunning()))
        return nullptr;
    const auto a = checkpoint_;
    const std::string workspace = workspace_.toStdString();
    const std::string other = QFileInfo(path).absoluteFilePath().toStdString();
    auto work = [this, a, workspace, other](const JobContext &context, const BackgroundJob::Log &log) {
        const std::unique_ptr<Checkpoint> b = openCheckpoint(other);
        DiffOptions options;
        options.topK = std::max(a->parameterCount(), b->parameterCount()) > kExactUpTo ? 64 : 0;
        const WorkspaceDiff kept = diffInWorkspace(*a, *b, options, workspace, context);
        log(kept.reused ? tr("read back from %1 (compared %2)").arg(QString::fromStdString(kept.workspace),
                                                                     QString::fromStdString(kept.record.date))
                        : tr("kept in %1").arg(QString::fromStdString(kept.workspace)));
        QMetaObject::invokeMethod(this, [this, a, record = kept.record] {
            if (isCurrent(a))
                view_->showDiff(record, nameOf(*a));
        }, Qt::QueuedConnection);
        const ModelDiff &d = kept.record.diff;
        return tr("%1 tensors compared, %2 only in A, %3 only in B, %4 of another shape")
            .arg(d.tensors.size())
            .arg(d.onlyInA.size())
            .arg(d.onlyInB.size())
            .arg(d.reshaped.size());
    };
    auto *job = new BackgroundJob(tr("Compare %1 with %2").arg(nameOf(*a), QFileInfo(path).fileName()), work);
    job_ = job;
    jobs_->add(job);
    job->start();
    Q_EMIT started(job);
    return job;
}

void DiffController::askExport()
{
    if (view_->diff().diff.tensors.empty())
        return;
    const QString path = chooseCsvFile(window_, tr("Export the diff"), QString());
    if (path.isEmpty())
        return;
    if (QString error; !view_->exportCsv(path, &error))
        QMessageBox::warning(window_, tr("Export the diff"), error);
}

} // namespace sculpt
