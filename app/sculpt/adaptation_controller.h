#pragma once
// The Adaptation tab's runs: Analyse ▸ Adapt… and the head scorings HeadScoreController asks
// for run as jobs on the open vision model, each drawing its training curve as it goes, kept
// in the model's workspace when it ends and listed with the runs stored there; a chosen run's
// test images are read from its task's files.

#include "job/job.h"
#include "prediction_grid.h"
#include "records/adaptation_record.h"
#include "session/adaptation.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QAction;
class QWidget;

namespace sculpt {

class AdaptationView;
class BackgroundJob;
class Checkpoint;
class JobsPanel;
enum class ModelKind;
struct ImageTask;

// The folder with the tasks' models/ and datasets/: $SCULPT_SHARED, else ../shared.
std::string defaultTaskDataRoot();

class AdaptationController : public QObject {
    Q_OBJECT
public:
    AdaptationController(AdaptationView *view, JobsPanel *jobs, QWidget *window);
    ~AdaptationController() override;

    // The open model, the kind its family builds (runs are offered for vision models) and its
    // workspace. Forgets the previous model's runs.
    void setModel(std::shared_ptr<const Checkpoint> checkpoint, std::optional<ModelKind> kind, const QString &workspace);
    void setStoredRuns(std::vector<AdaptationRecord> runs); // read back when the model opened
    bool canRun() const; // a vision model is open and no run is going
    std::string modelName() const; // the open model's file or folder name

    // Runs `request` on the open model; nullptr when it cannot.
    BackgroundJob *startAdapt(const AdaptRequest &request);
    void askAdapt();

    // What a run does on the job's thread: trains (each epoch to `onEpoch`) and returns its
    // record, the weights' hash, date and time still to be filled.
    using Run = std::function<AdaptationRecord(const Checkpoint &checkpoint, const JobContext &job,
                                               const std::function<void(const AdaptationEpoch &)> &onEpoch)>;
    // Starts `run` as a job titled `title`: its curve drawn live over `epochs` (a dashed line
    // after `maskedFrom` when positive), its record kept in the workspace, then listed and
    // chosen. `dataRoot` is where its task's test images are read from. nullptr when it cannot.
    BackgroundJob *start(const QString &title, int64_t epochs, int64_t maskedFrom, const std::string &dataRoot, Run run);

    QAction *adaptAction() const { return action_; }

Q_SIGNALS:
    void started(sculpt::BackgroundJob *job);
    void runningChanged(); // canRun() may have changed

private:
    void updateAction();
    std::vector<TestImage> testImages(const std::string &task, int64_t count);

    AdaptationView *view_;
    JobsPanel *jobs_;
    QWidget *window_;
    QAction *action_;
    std::shared_ptr<const Checkpoint> checkpoint_;
    QString workspace_;
    bool vision_ = false;
    AdaptRequest last_;
    std::string dataRoot_;                                     // of the latest run: where test images are read
    std::map<std::string, std::shared_ptr<const ImageTask>> tasks_; // read once, by "root\ntask"
    QPointer<BackgroundJob> job_;
};

} // namespace sculpt
