#pragma once
// Analyse ▸ Compute spectra on cluster… in the window: the open model's spectra submitted to
// Slurm as a job array (core/cluster, as `sculpt-cli submit spectra` does), or an evaluation or
// a pass as one job (Evaluate ▸ / Compress ▸ Run on cluster, as `submit eval|compress`), each run followed
// as a job of the Jobs panel — Slurm's states in its log, tasks finished as its progress,
// Cancel as scancel — its finished parts merged into the model's workspace as they come.
// Opening a model follows its runs still going and brings home what ended meanwhile. The
// window never waits on a Slurm command: every one runs inside a job. The cluster is the one
// `sculpt-cli` reads (cluster_config.h: $SCULPT_CLUSTER_CONFIG, else ~/.config/sculpt/cluster.json).

#include "cluster/run_folder.h"
#include "cluster/sbatch_script.h"
#include "session/compression.h"
#include "session/evaluation.h"

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <optional>

class QAction;
class QWidget;

namespace sculpt {

class BackgroundJob;
class JobsPanel;

class ClusterController : public QObject {
    Q_OBJECT
public:
    ClusterController(JobsPanel *jobs, QWidget *window);
    ~ClusterController() override;

    // The open model (empty path: none) and its workspace; follows its runs in the shared folder.
    void setModel(const QString &path, const QString &workspace);
    // Submits the open model's spectra (exact, or the top `topK`) as `tasks` array tasks and
    // follows them; nullptr when no model is open.
    BackgroundJob *submitSpectra(int tasks, int topK = 0);
    void askSpectra();
    // Submits `request` on the open model as one job (`sculpt-cli eval` on the node), its
    // record merged into the workspace when it ends; nullptr when no model is open.
    BackgroundJob *submitEvaluation(const EvaluationRequest &request);
    // Submits `request` on the open model as one job (`sculpt-cli compress` on the node)
    // exporting to `folder`, its record merged into the workspace when it ends; nullptr when no
    // model is open.
    BackgroundJob *submitCompression(const PassRequest &request, const QString &folder, ExportFormat format);
    QAction *spectraAction() const { return spectraAction_; }
    // Analyse ▸ Cluster settings…: the dialog on the file sculpt-cli reads.
    QAction *settingsAction() const { return settingsAction_; }

    // The window closes: the jobs stop following, and the runs are left running on the cluster.
    void leave();
    void setPollSeconds(double seconds) { pollSeconds_ = seconds; } // tests poll faster

Q_SIGNALS:
    void merged(); // something new came home into the open model's workspace

private:
    // A job that submits `run` first when `request` is set, then follows it to its end.
    BackgroundJob *follow(const QString &title, const RunRecord &run, const std::optional<BatchRequest> &request);
    void followRunsOfModel();
    RunRecord runOfModel(const std::string &kind, const std::string &method) const; // the open model's, not yet submitted

    JobsPanel *jobs_;
    QWidget *window_;
    QAction *spectraAction_, *settingsAction_;
    QString model_, workspace_;
    double pollSeconds_ = 2;
    std::shared_ptr<std::atomic<bool>> leaving_ = std::make_shared<std::atomic<bool>>(false);
};

} // namespace sculpt
