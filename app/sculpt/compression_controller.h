#pragma once
#include "model_chooser.h"
#include "session/compression.h"
#include "spectrum_plot.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QWidget;

namespace sculpt {

class BackgroundJob;
class Checkpoint;
class CompressionView;
class JobsPanel;

// Compress ▸ in the window: runs passes on the open model as jobs (one at a time) with their
// loss curve growing in the view, keeps the results — the model a pass made, while the window
// has it, and its record, saved in the model's workspace — and exports them as jobs. A
// cancelled or failed pass leaves nothing behind.
class CompressionController : public QObject {
    Q_OBJECT
public:
    CompressionController(CompressionView *view, JobsPanel *jobs, QWidget *window);

    // The open model (null for none), the kind of model its family builds (runnableKind; none:
    // no pass can run on it) and its workspace. Forgets the previous model's results.
    void setModel(std::shared_ptr<const Checkpoint> checkpoint, std::optional<ModelKind> kind, const QString &workspace);
    // The passes the open model's workspace holds, read back when it was opened.
    void setStoredPasses(const std::vector<PassRecord> &passes);

    // Runs `request` on the open model as a job; nullptr when no model is open, it cannot be
    // compressed, or a pass is running already.
    BackgroundJob *startCompression(const PassRequest &request);
    // Exports the pass chosen in the view, and records where in the workspace; nullptr when it
    // is not in memory or an export is running already.
    BackgroundJob *startExport(const QString &folder, ExportFormat format);

    void askCompression(); // the Compress dialog, then startCompression (or clusterRequested)
    void askExport();      // the Export dialog, then startExport

    // The pass chosen in the view, or null.
    const PassRecord *currentRecord() const;
    // Whether the chosen pass's compressed model is in memory (run in this session).
    bool hasCompressedModel() const;
    std::shared_ptr<const CompressedModel> currentModel() const; // null when it is not
    std::shared_ptr<const Checkpoint> checkpoint() const { return checkpoint_; }
    QString workspace() const { return workspace_; }
    // A pass whose compressed model can run: in memory (model set) or exported (record.exportPath).
    struct RunnablePass {
        PassRecord record;
        std::shared_ptr<const CompressedModel> model; // null when only its export can run
        std::string tokenizer;                        // the one it read; empty when not known
    };
    // The open model's passes that can run, in the view's order.
    std::vector<RunnablePass> runnablePasses() const;
    // Those passes as a model chooser offers them, each keyed by its id and date (a pass is
    // stored with both, and no folder's path looks like that key); runnablePass finds one
    // again by its key, nullopt when it is gone or the key is a folder's.
    std::vector<ModelChooser::Choice> passChoices() const;
    std::optional<RunnablePass> runnablePass(const QString &key) const;
    // A record saved anew (with what was measured on it) replaces the one of the same id.
    void replaceRecord(const PassRecord &record);

    // Stages `record` in the workspace at `path` (made for `checkpoint`) and saves it; returns
    // it with its id. The file is read again first: other jobs may have saved it meanwhile.
    static PassRecord store(const QString &path, const Checkpoint &checkpoint, PassRecord record);
    // What the chosen pass did to the first of these tensors it compressed, for the spectrum plot.
    std::optional<PassOverlay> overlayFor(const QStringList &tensors) const;

    QAction *compressAction() const { return compressAction_; }
    QAction *exportAction() const { return exportAction_; }

Q_SIGNALS:
    void currentPassChanged();
    void started(sculpt::BackgroundJob *job); // a pass or an export
    // Compress ▸ Run on cluster: `request` on the open model as a Slurm job exporting to `folder`.
    void clusterRequested(const sculpt::PassRequest &request, const QString &folder, sculpt::ExportFormat format);

private:
    struct Entry {
        PassRecord record;
        std::shared_ptr<const CompressedModel> model; // null for a pass read back from the workspace
        std::string tokenizer;
    };
    void askClusterExport(const PassRequest &request);
    // Beside the model, named for the pass: "stories260K-svd-40".
    QString suggestedFolder(const std::string &method, double ratio) const;
    void showEntries();
    void updateActions();
    bool isCurrent(const std::shared_ptr<const Checkpoint> &checkpoint) const { return checkpoint == checkpoint_; }

    CompressionView *view_;
    JobsPanel *jobs_;
    QWidget *window_;
    QAction *compressAction_;
    QAction *exportAction_;
    std::shared_ptr<const Checkpoint> checkpoint_;
    std::optional<ModelKind> kind_;
    QString workspace_;
    std::vector<Entry> entries_;
    QPointer<BackgroundJob> compressionJob_;
    QPointer<BackgroundJob> exportJob_;
};

} // namespace sculpt
