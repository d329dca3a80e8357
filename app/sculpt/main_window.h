#pragma once
#include "analysis/spectra_job.h"
#include "background_job.h"
#include "session/evaluation.h"

#include <QMainWindow>
#include <QPointer>
#include <QSet>
#include <QSize>
#include <functional>
#include <map>
#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QSplitter;
class QTabWidget;

namespace sculpt {

class AdaptationController;
class AdaptationView;
class CompressionController;
class CompressionView;
class EsdPlot;
class EvaluationTable;
class FilterBox;
class HeadScoreController;
class AdapterImportanceChart;
class AdapterPruningController;
class ExpertRoutingMap;
class HeadScoreMap;
class JobsPanel;
class LayerOverview;
class LayoutGenerationController;
class LayoutsController;
class LayoutsView;
class SideBySideController;
class SideBySideView;
class VisionLanguageController;
class VisionLanguageView;
class ModelTree;
class PeftController;
class ClusterController;
class DiffController;
class DiffView;
class PlotWidget;
class SpectrumPlot;
struct OpenedModel;

// The workbench: the model tree with its filter on the left; on the right, in tabs, the
// selected tensors' spectra, the eigenvalue density of one of them, the layer overview of
// the whole model, its compression passes and one of them side by side with the original;
// the jobs panel and the evaluations below. Everything slow is a job.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens on the thread pool as a job; the tree is replaced only when the new model opened,
    // so a bad file costs nothing but a message (a window-modal box with the reader's
    // reason). One open at a time. Spectra (exact, else the largest top-k preview) and
    // evaluations already in the model's workspace are then shown by a quick job that reads
    // them back, with nothing recomputed. A Hugging Face PEFT folder (or its
    // adapter_config.json) opens as openPeft(path) does.
    void openModel(const QString &path);
    // Opens the base model of the PEFT LoRA folder `folder` with the adapter attached: `base`,
    // else the local path base_model_name_or_path names (resolvePeftBase), else one the user
    // chooses in a folder dialog. The open job also takes every LoRA update's ΔW spectrum
    // (analysis/lora_spectra.h), shown beside its weight's own; a folder that does not fit its
    // base fails the open. No base, or the dialog cancelled: the current model stays, and one
    // line says why.
    void openPeft(const QString &folder, const QString &base = {});
    // Asks a running open to stop; the current model stays.
    void cancelOpen();

    // Computes the open model's spectra as a job — exact, or randomized previews of the
    // topK largest values — reusing and then updating the model's workspace. Spectra reach
    // the tree and the views as each matrix finishes. nullptr when no model is open or a
    // spectra job is already running.
    BackgroundJob *startSpectra(int topK = 0);

    // Measures the open model as `request` says (Analyse ▸ Evaluate… asks for one) as a job;
    // the result goes into the workspace and the Evaluations table, nothing when it is
    // cancelled or fails. nullptr when no model is open or an evaluation is already running.
    BackgroundJob *startEvaluation(const EvaluationRequest &request);

    // Workspaces are kept in this folder, under the file name Workspace::defaultPath would
    // give; empty for that default. Starts as $SCULPT_WORKSPACE_DIR when it is set.
    void setWorkspaceFolder(const QString &folder);
    QString workspacePath(const QString &modelPath) const;

    // Writes the current tab's plot (the Layouts tab: its page) as PNG, PDF or SVG by the
    // file's suffix; says so in the status bar.
    bool savePlot(const QString &path, QSize size = {});
    // Writes the metrics table as CSV, in the order it is sorted on screen.
    bool saveTable(const QString &path);
    // Writes the evaluations table as CSV, likewise.
    bool saveEvaluations(const QString &path);

    ModelTree *modelTree() const { return tree_; }
    FilterBox *filterBox() const { return filter_; }
    SpectrumPlot *spectrumPlot() const { return plot_; }
    EsdPlot *esdPlot() const { return esd_; }
    LayerOverview *layerOverview() const { return overview_; }
    QTabWidget *views() const { return views_; } // the spectrum, the ESD, the layer overview, compression
    CompressionView *compressionView() const { return compressionView_; }
    CompressionController *compression() const { return compression_; } // Compress ▸
    SideBySideView *sideBySideView() const { return sideBySideView_; }
    HeadScoreMap *headScoreMap() const { return headScoreMap_; }
    HeadScoreController *headScores() const { return headScores_; }
    AdapterImportanceChart *adapterChart() const { return adapterChart_; }
    ExpertRoutingMap *routingMap() const { return routingMap_; }
    AdapterPruningController *adapterPruning() const { return adapterPruning_; }
    AdaptationView *adaptationView() const { return adaptationView_; }
    AdaptationController *adaptation() const { return adaptation_; } // Analyse ▸ Adapt…
    ClusterController *cluster() const { return cluster_; } // Analyse ▸ Compute spectra on cluster…
    DiffView *diffView() const { return diffView_; }
    DiffController *diff() const { return diff_; } // File ▸ Compare with…
    PeftController *peft() const { return peft_; } // the attached PEFT folder; File ▸ Merge adapter and export…
    SideBySideController *sideBySide() const { return sideBySide_; }
    VisionLanguageView *visionLanguageView() const { return visionLanguageView_; }
    VisionLanguageController *visionLanguage() const { return visionLanguage_; }
    LayoutsView *layoutsView() const { return layoutsView_; }
    LayoutsController *layouts() const { return layouts_; } // File ▸ Open annotations…
    LayoutGenerationController *layoutGeneration() const { return layoutGeneration_; } // the Layouts tab's Generate page
    JobsPanel *jobsPanel() const { return jobs_; }
    EvaluationTable *evaluations() const { return evaluations_; }
    QString currentPath() const { return currentPath_; }
    // Models opened before, newest first, as QSettings keeps them (File ▸ Open recent).
    QStringList recentFiles() const;
    QString lastError() const { return lastError_; }
    // What the latest job (a spectra job, or the stored spectra read back) said about this
    // tensor of the open model, if anything.
    const SpectrumOutcome *outcome(const QString &tensor) const;

Q_SIGNALS:
    void modelOpened(const QString &path);
    void openFailed(const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;       // keeps the window's geometry and layout
    void dragEnterEvent(QDragEnterEvent *event) override; // a checkpoint file or model folder
    void dropEvent(QDropEvent *event) override;

private:
    void buildMenus(QDockWidget *jobsDock);
    void remember(const QString &path);
    void showRecentFiles();
    void showAbout();
    void showOpenError(const QString &reason);
    void loadWorkspace();
    // Hands a job's outcomes to the GUI thread, where they are shown while `model` is open.
    std::function<void(const SpectrumOutcome &)> outcomeSink(std::shared_ptr<OpenedModel> model);
    void chooseFile();
    void chooseFolder();
    // Opens `path` as a job; with a PEFT folder, as its base with that folder attached.
    void startOpen(const QString &path, const QString &peftFolder);
    // The open failed before any job (an unusable PEFT folder, no base chosen): says so.
    void refuseOpen(const QString &reason, bool cancelled);
    void choosePlotFile();
    void chooseTableFile();
    void chooseEvaluationsFile();
    void askEvaluation();
    void takeEvaluation(const Evaluation &evaluation);
    QString exportStem(const QString &what) const;
    PlotWidget *currentPlot() const;
    QString currentPlotName() const;
    void chooseTensor(const QString &name);
    void askTopK();
    void adopt(std::shared_ptr<OpenedModel> opened);
    void takeOutcome(const SpectrumOutcome &outcome);
    void showSelection();
    // Selects the tensors a head's q/k/v rows and o columns lie in and shows those slices'
    // spectra, computed as a quick job.
    void showHead(int64_t layer, int64_t head);
    void announceEnd(BackgroundJob *job);
    // Starts a job kept in `slot` whose end changes which actions are enabled, and says so
    // in the status bar.
    BackgroundJob *startTrackedJob(const QString &title, BackgroundJob::Work work, QPointer<BackgroundJob> &slot);
    void updateActions();

    ModelTree *tree_;
    FilterBox *filter_;
    SpectrumPlot *plot_;
    EsdPlot *esd_;
    LayerOverview *overview_;
    CompressionView *compressionView_;
    SideBySideView *sideBySideView_;
    HeadScoreMap *headScoreMap_;
    AdapterImportanceChart *adapterChart_;
    ExpertRoutingMap *routingMap_;
    AdaptationView *adaptationView_;
    VisionLanguageView *visionLanguageView_;
    LayoutsView *layoutsView_;
    QTabWidget *views_;
    QSplitter *splitter_;
    JobsPanel *jobs_;
    EvaluationTable *evaluations_;
    QDockWidget *evaluationsDock_;
    CompressionController *compression_;
    AdaptationController *adaptation_;
    HeadScoreController *headScores_;
    AdapterPruningController *adapterPruning_;
    SideBySideController *sideBySide_;
    VisionLanguageController *visionLanguage_;
    LayoutsController *layouts_;
    LayoutGenerationController *layoutGeneration_;
    PeftController *peft_;
    ClusterController *cluster_;
    DiffView *diffView_;
    DiffController *diff_;
    QLabel *summary_;
    QAction *spectraAction_ = nullptr;
    QAction *previewAction_ = nullptr;
    QAction *evaluateAction_ = nullptr;
    QMenu *recentMenu_ = nullptr;
    QPointer<BackgroundJob> openJob_;
    QPointer<BackgroundJob> spectraJob_;
    QPointer<BackgroundJob> loadJob_;
    QPointer<BackgroundJob> evaluationJob_;
    QPointer<BackgroundJob> headJob_;
    uint64_t headClicks_ = 0; // the latest head clicked: only its spectra are shown
    std::shared_ptr<OpenedModel> model_;
    QSet<QString> matrices_; // tensors of the open model that can have a spectrum
    std::map<QString, SpectrumOutcome> outcomes_;
    QString workspaceFolder_;
    QString currentPath_;
    QString lastError_;
};

} // namespace sculpt
