// Background jobs and their panel: progress, a job that throws, cancelling.

#include "background_job.h"
#include "jobs_panel.h"

#include <QSignalSpy>
#include <QtTest>
#include <stdexcept>
#include <thread>

using namespace sculpt;

class TestJobsPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void finishedJobShowsItsSummaryAndLog()
    {
        JobsPanel panel;
        auto *job = new BackgroundJob(QStringLiteral("count"), [](const JobContext &context, const BackgroundJob::Log &log) {
            for (long i = 1; i <= 3; ++i) {
                log(QStringLiteral("step %1").arg(i));
                context.report(i, 3, "step", 3.0 - double(i));
            }
            return QStringLiteral("three steps");
        });
        panel.add(job);
        QSignalSpy ended(&panel, &JobsPanel::jobEnded);
        job->start();
        QVERIFY(ended.wait(5000));
        QCOMPARE(job->state(), BackgroundJob::State::Finished);
        QCOMPARE(job->progress().done, 3L);
        QCOMPARE(job->summary(), QStringLiteral("three steps"));
        QVERIFY(panel.statusText(job).startsWith(QStringLiteral("done in")));
        QVERIFY(panel.logText().contains(QStringLiteral("step 2")));
        QVERIFY(panel.logText().contains(QStringLiteral("three steps")));
    }

    void jobThatThrowsShowsTheErrorAndTheNextOneRuns()
    {
        JobsPanel panel;
        auto *bad = new BackgroundJob(QStringLiteral("bad"), [](const JobContext &, const BackgroundJob::Log &) -> QString {
            throw std::runtime_error("disk on fire");
        });
        panel.add(bad);
        QSignalSpy ended(&panel, &JobsPanel::jobEnded);
        bad->start();
        QVERIFY(ended.wait(5000));
        QCOMPARE(bad->state(), BackgroundJob::State::Failed);
        QCOMPARE(panel.statusText(bad), QStringLiteral("failed"));
        QVERIFY(panel.logText().contains(QStringLiteral("disk on fire")));

        auto *good = new BackgroundJob(QStringLiteral("good"), [](const JobContext &, const BackgroundJob::Log &) {
            return QStringLiteral("fine");
        });
        panel.add(good);
        good->start();
        QVERIFY(ended.wait(5000));
        QCOMPARE(good->state(), BackgroundJob::State::Finished);
        QCOMPARE(panel.jobs().size(), 2);
        panel.removeFinished();
        QTRY_COMPARE(panel.jobs().size(), 0);
    }

    void cancelStopsAPollingJob()
    {
        JobsPanel panel;
        auto *job = new BackgroundJob(QStringLiteral("forever"), [](const JobContext &context, const BackgroundJob::Log &) -> QString {
            for (long i = 0;; ++i) {
                context.checkCancelled();
                context.report(i % 100, 100);
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
        panel.add(job);
        QSignalSpy ended(&panel, &JobsPanel::jobEnded);
        job->start();
        QTRY_VERIFY(job->progress().done > 0);
        panel.cancelAll();
        QVERIFY(ended.wait(5000));
        QCOMPARE(job->state(), BackgroundJob::State::Cancelled);
        QCOMPARE(panel.statusText(job), QStringLiteral("cancelled"));
    }

    void deletingAPanelStopsItsJobs()
    {
        auto *panel = new JobsPanel;
        auto *job = new BackgroundJob(QStringLiteral("forever"), [](const JobContext &context, const BackgroundJob::Log &) -> QString {
            for (;;) {
                context.checkCancelled();
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
        panel->add(job);
        job->start();
        delete panel; // would hang here if the job were not asked to stop
    }
};

QTEST_MAIN(TestJobsPanel)
#include "test_jobs_panel.moc"
