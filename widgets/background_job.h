#pragma once
#include "job/job.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QStringList>
#include <atomic>
#include <functional>

namespace sculpt {

// Long work off the GUI thread: a plain function taking core's JobContext (progress
// callback, cancel flag) runs on the global thread pool; its progress, log lines and end
// come back to the GUI thread as queued signals. The job object must outlive its work:
// destroying it cancels the work and waits for it.
class BackgroundJob : public QObject {
    Q_OBJECT
public:
    enum class State { Running, Finished, Cancelled, Failed };

    // Adds a line to the job's log; callable from the work's threads.
    using Log = std::function<void(const QString &line)>;
    // Returns a one-line summary. Throws Cancelled when it stopped on request, anything
    // else when it failed: the exception's text becomes the job's error.
    using Work = std::function<QString(const JobContext &job, const Log &log)>;

    BackgroundJob(const QString &title, Work work, QObject *parent = nullptr);
    ~BackgroundJob() override;

    void start();
    void cancel();
    void waitForFinished();

    QString title() const { return title_; }
    State state() const { return state_; }
    bool isRunning() const { return state_ == State::Running; }
    const Progress &progress() const { return progress_; }
    // The job's estimate, else a straight-line one from the fraction done; negative when unknown.
    double secondsLeft() const;
    double secondsElapsed() const;
    QString summary() const { return summary_; } // the work's summary, or why it did not finish
    const QStringList &log() const { return log_; }

Q_SIGNALS:
    void progressed();
    void logged(const QString &line);
    void ended(); // state() is Finished, Cancelled or Failed from here on

private:
    struct Result {
        State state = State::Failed;
        QString text;
    };
    void appendLog(const QString &line);
    void onFinished();

    QString title_;
    Work work_;
    State state_ = State::Running;
    Progress progress_;
    QString summary_;
    QStringList log_;
    QElapsedTimer clock_;
    double endedAfter_ = -1;
    std::atomic<bool> cancelRequested_{false};
    QFutureWatcher<Result> watcher_;
};

} // namespace sculpt
