#pragma once
#include "analysis/spectra_job.h"

#include <QMainWindow>
#include <QPointer>
#include <QSet>
#include <QSize>
#include <map>
#include <memory>

class QAction;
class QDockWidget;
class QLabel;

namespace sculpt {

class BackgroundJob;
class FilterBox;
class JobsPanel;
class ModelTree;
class SpectrumPlot;
struct OpenedModel;

// The workbench: the model tree with its filter on the left, the spectrum plot of the
// selected tensors on the right, the jobs panel below. Everything slow is a job.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens on the thread pool as a job; the tree is replaced only when the new model opened,
    // so a bad file costs nothing but a message. One open at a time.
    void openModel(const QString &path);
    // Asks a running open to stop; the current model stays.
    void cancelOpen();

    // Computes the open model's spectra as a job — exact, or randomized previews of the
    // topK largest values — reusing and then updating the model's workspace. Spectra reach
    // the tree and the plot as each matrix finishes. nullptr when no model is open or a
    // spectra job is already running.
    BackgroundJob *startSpectra(int topK = 0);

    // Workspaces are kept in this folder, under the file name Workspace::defaultPath would
    // give; empty for that default. Starts as $SCULPT_WORKSPACE_DIR when it is set.
    void setWorkspaceFolder(const QString &folder);
    QString workspacePath(const QString &modelPath) const;

    // Writes the spectrum plot as PNG, PDF or SVG by the file's suffix; says so in the status bar.
    bool savePlot(const QString &path, QSize size = {});

    ModelTree *modelTree() const { return tree_; }
    FilterBox *filterBox() const { return filter_; }
    SpectrumPlot *spectrumPlot() const { return plot_; }
    JobsPanel *jobsPanel() const { return jobs_; }
    QString currentPath() const { return currentPath_; }
    QString lastError() const { return lastError_; }
    // What the latest spectra job said about this tensor of the open model, if anything.
    const SpectrumOutcome *outcome(const QString &tensor) const;

Q_SIGNALS:
    void modelOpened(const QString &path);
    void openFailed(const QString &message);

private:
    void buildMenus(QDockWidget *jobsDock);
    void chooseFile();
    void chooseFolder();
    void choosePlotFile();
    void askTopK();
    void adopt(std::shared_ptr<OpenedModel> opened);
    void takeOutcome(const SpectrumOutcome &outcome);
    void showSelection();
    void announceEnd(BackgroundJob *job);
    void updateActions();

    ModelTree *tree_;
    FilterBox *filter_;
    SpectrumPlot *plot_;
    JobsPanel *jobs_;
    QLabel *summary_;
    QAction *spectraAction_ = nullptr;
    QAction *previewAction_ = nullptr;
    QPointer<BackgroundJob> openJob_;
    QPointer<BackgroundJob> spectraJob_;
    std::shared_ptr<OpenedModel> model_;
    QSet<QString> matrices_; // tensors of the open model that can have a spectrum
    std::map<QString, SpectrumOutcome> outcomes_;
    QString workspaceFolder_;
    QString currentPath_;
    QString lastError_;
};

} // namespace sculpt
