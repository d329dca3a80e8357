#include "background_job.h"

#include <QTime>
#include <QtConcurrent/QtConcurrentRun>

namespace sculpt {

BackgroundJob::BackgroundJob(const QString &title, Work work, QObject *parent)
    : QObject(parent), title_(title), work_(std::move(work))
{
    connect(&watcher_, &QFutureWatcher<Result>::finished, this, &BackgroundJob::onFinished);
}

BackgroundJob::~BackgroundJob()
{
    cancel();
    waitForFinished();
}

void BackgroundJob::start()
{
    clock_.start();
    appendLog(tr("started"));
    // The work reaches back through queued calls only; `this` outlives it (see ~BackgroundJob).
    const JobContext context(
        [this](const Progress &p) {
            QMetaObject::invokeMethod(this, [this, p] {
                progress_ = p;
                Q_EMIT progressed();
            }, Qt::QueuedConnection);
        },
        &cancelRequested_);
    const Log log = [this](const QString &line) {
        QMetaObject::invokeMethod(this, [this, line] { appendLog(line); }, Qt::QueuedConnection);
    };
    watcher_.setFuture(QtConcurrent::run([work = work_, context, log]() -> Result {
        // Errors cross threads as text: a worker's exception must never reach Qt's event loop.
        try {
            return {State::Finished, work(context, log)};
        } catch (const Cancelled &) {
            return {State::Cancelled, tr("cancelled")};
        } catch (const std::exception &e) {
            return {State::Failed, QString::fromUtf8(e.what())};
        } catch (...) {
            return {State::Failed, tr("failed with an unknown error")};
        }
    }));
}

void BackgroundJob::cancel()
{
    if (isRunning() && !cancelRequested_.exchange(true))
        appendLog(tr("cancel requested"));
}

void BackgroundJob::waitForFinished() { watcher_.waitForFinished(); }

double BackgroundJob::secondsElapsed() const
{
    if (endedAfter_ >= 0)
        return endedAfter_;
    return clock_.isValid() ? double(clock_.elapsed()) / 1000.0 : 0.0;
}

double BackgroundJob::secondsLeft() const
{
    if (!isRunning())
        return 0;
    if (progress_.secondsLeft >= 0)
        return progress_.secondsLeft;
    if (progress_.done <= 0 || progress_.total <= 0)
        return -1;
    return secondsElapsed() * double(progress_.total - progress_.done) / double(progress_.done);
}

void BackgroundJob::appendLog(const QString &line)
{
    const QString stamped = QTime::currentTime().toString(QStringLiteral("HH:mm:ss  ")) + line;
    log_ << stamped;
    Q_EMIT logged(stamped);
}

void BackgroundJob::onFinished()
{
    const Result result = watcher_.result();
    endedAfter_ = secondsElapsed();
    state_ = result.state;
    summary_ = result.text;
    switch (state_) {
    case State::Finished:
        appendLog(tr("done in %1 s: %2").arg(endedAfter_, 0, 'f', 1).arg(summary_));
        break;
    case State::Cancelled:
        appendLog(tr("cancelled after %1 s").arg(endedAfter_, 0, 'f', 1));
        break;
    case State::Failed:
        appendLog(tr("failed: %1").arg(summary_));
        break;
    case State::Running:
        break;
    }
    Q_EMIT ended();
}

} // namespace sculpt
