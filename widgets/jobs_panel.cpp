#include "jobs_panel.h"

#include "background_job.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <cmath>

namespace sculpt {
namespace {

constexpr int kJobRole = Qt::UserRole;

QString duration(double seconds)
{
    if (seconds < 10)
        return QObject::tr("%1 s").arg(seconds, 0, 'f', 1);
    if (seconds < 60)
        return QObject::tr("%1 s").arg(std::lround(seconds));
    const long s = std::lround(seconds);
    if (s < 3600)
        return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QObject::tr("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60);
}

BackgroundJob *jobOf(const QTreeWidgetItem *item)
{
    return item ? static_cast<BackgroundJob *>(item->data(JobsPanel::Title, kJobRole).value<QObject *>()) : nullptr;
}

} // namespace

JobsPanel::JobsPanel(QWidget *parent) : QWidget(parent), list_(new QTreeWidget), log_(new QPlainTextEdit)
{
    list_->setColumnCount(ColumnCount);
    list_->setHeaderLabels({tr("Job"), tr("Progress"), tr("Time left"), QString()});
    list_->setRootIsDecorated(false);
    list_->setUniformRowHeights(true);
    list_->header()->setSectionResizeMode(Title, QHeaderView::Stretch);
    list_->header()->setStretchLastSection(false);
    const QFontMetrics metrics(font());
    list_->setColumnWidth(ProgressBar, metrics.horizontalAdvance(QStringLiteral("0000 of 0000____________")));
    list_->setColumnWidth(Status, metrics.horizontalAdvance(QStringLiteral("done in 12 min 30 s__")));
    list_->setColumnWidth(CancelButton, metrics.horizontalAdvance(QStringLiteral("__Cancel__")));

    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000); // a log, not an archive: the workspace holds the results
    log_->setPlaceholderText(tr("The selected job's log"));

    auto *clear = new QToolButton;
    clear->setText(tr("Clear finished"));
    clear->setToolTip(tr("Remove the jobs that have ended from the list"));
    connect(clear, &QToolButton::clicked, this, &JobsPanel::removeFinished);

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(list_);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(clear);
    leftLayout->addLayout(buttons);

    auto *splitter = new QSplitter;
    splitter->addWidget(left);
    splitter->addWidget(log_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(list_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) { showLogOf(item); });

    auto *cancelKey = new QAction(tr("Cancel job"), this);
    cancelKey->setShortcut(QKeySequence(Qt::Key_Escape));
    cancelKey->setShortcutContext(Qt::WidgetWithChildrenShortcut); // only while the panel has the focus
    connect(cancelKey, &QAction::triggered, this, &JobsPanel::cancelSelected);
    addAction(cancelKey);

    // The time left moves on between progress reports (one big matrix can take minutes).
    auto *tick = new QTimer(this);
    connect(tick, &QTimer::timeout, this, [this] {
        for (BackgroundJob *job : jobs())
            if (job->isRunning())
                items_.value(job)->setText(Status, statusText(job));
    });
    tick->start(1000);
}

// Every job is asked to stop before any is waited for, so they wind down together.
JobsPanel::~JobsPanel()
{
    cancelAll();
    for (BackgroundJob *job : jobs())
        delete job;
}

void JobsPanel::add(BackgroundJob *job)
{
    job->setParent(this);
    auto *item = new QTreeWidgetItem;
    item->setText(Title, job->title());
    item->setToolTip(Title, job->title());
    item->setData(Title, kJobRole, QVariant::fromValue<QObject *>(job));
    list_->insertTopLevelItem(0, item);
    items_.insert(job, item);

    auto *bar = new QProgressBar;
    bar->setRange(0, 0); // busy until the job reports a total
    bar->setFormat(tr("%v of %m"));
    list_->setItemWidget(item, ProgressBar, bar);
    auto *cancel = new QPushButton(tr("Cancel"));
    cancel->setToolTip(tr("Stop this job; what it finished is kept.\nEsc here cancels the selected job, Ctrl+. anywhere"));
    list_->setItemWidget(item, CancelButton, cancel);
    connect(cancel, &QPushButton::clicked, job, &BackgroundJob::cancel);

    connect(job, &BackgroundJob::progressed, this, [this, job] { showProgress(job); });
    connect(job, &BackgroundJob::logged, this, [this, job](const QString &line) {
        if (jobOf(list_->currentItem()) == job)
            log_->appendPlainText(line);
    });
    connect(job, &BackgroundJob::ended, this, [this, job] { showEnd(job); });
    list_->setCurrentItem(item);
    showProgress(job);
}

QList<BackgroundJob *> JobsPanel::jobs() const
{
    QList<BackgroundJob *> all;
    for (int i = 0; i < list_->topLevelItemCount(); ++i)
        all << jobOf(list_->topLevelItem(i));
    return all;
}

BackgroundJob *JobsPanel::cancelSelected()
{
    BackgroundJob *job = jobOf(list_->currentItem());
    if (!job || !job->isRunning()) {
        job = nullptr;
        for (BackgroundJob *candidate : jobs())
            if (candidate->isRunning()) {
                job = candidate;
                break;
            }
    }
    if (job)
        job->cancel();
    return job;
}

void JobsPanel::cancelAll()
{
    for (BackgroundJob *job : jobs())
        job->cancel();
}

void JobsPanel::removeFinished()
{
    for (BackgroundJob *job : jobs()) {
        if (job->isRunning())
            continue;
        delete items_.take(job);
        job->deleteLater();
    }
}

QString JobsPanel::statusText(const BackgroundJob *job) const
{
    switch (job->state()) {
    case BackgroundJob::State::Running: {
        const double left = job->secondsLeft();
        return left < 0 ? tr("estimating…") : tr("about %1").arg(duration(left));
    }
    case BackgroundJob::State::Finished:
        return tr("done in %1").arg(duration(job->secondsElapsed()));
    case BackgroundJob::State::Cancelled:
        return tr("cancelled");
    case BackgroundJob::State::Failed:
        return tr("failed"); // why is in the tooltip and the log, which have room for it
    }
    return {};
}

QString JobsPanel::logText() const { return log_->toPlainText(); }

void JobsPanel::showProgress(BackgroundJob *job)
{
    QTreeWidgetItem *item = items_.value(job);
    if (!item)
        return;
    const Progress &p = job->progress();
    auto *bar = static_cast<QProgressBar *>(list_->itemWidget(item, ProgressBar));
    if (p.total > 0) {
        bar->setRange(0, int(p.total));
        bar->setValue(int(p.done));
    }
    item->setText(Status, statusText(job));
    if (!p.message.empty())
        item->setToolTip(ProgressBar, QString::fromStdString(p.message));
}

void JobsPanel::showEnd(BackgroundJob *job)
{
    QTreeWidgetItem *item = items_.value(job);
    if (!item)
        return;
    auto *bar = static_cast<QProgressBar *>(list_->itemWidget(item, ProgressBar));
    if (bar->maximum() == 0) // never reported a total: show it as complete rather than busy
        bar->setRange(0, 1);
    if (job->state() == BackgroundJob::State::Finished)
        bar->setValue(bar->maximum());
    if (job->state() == BackgroundJob::State::Failed) {
        bar->setFormat(tr("failed"));
        bar->setValue(bar->minimum());
    }
    list_->itemWidget(item, CancelButton)->setEnabled(false);
    item->setText(Status, statusText(job));
    item->setToolTip(Status, job->summary());
    if (job->state() == BackgroundJob::State::Failed)
        item->setForeground(Status, QColor(Qt::red));
    Q_EMIT jobEnded(job);
}

void JobsPanel::showLogOf(QTreeWidgetItem *item)
{
    const BackgroundJob *job = jobOf(item);
    log_->setPlainText(job ? job->log().join(QLatin1Char('\n')) : QString());
    log_->moveCursor(QTextCursor::End);
}

} // namespace sculpt
