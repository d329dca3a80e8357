#pragma once
#include "analysis/lora_spectra.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <memory>

class QAction;
class QWidget;

namespace sculpt {

class BackgroundJob;
class JobsPanel;

// A Hugging Face PEFT LoRA folder attached to the model the window shows (its base): what the
// summary line says of it, each adapted weight's ΔW spectrum to draw beside the weight's own,
// and File ▸ Merge adapter and export…, which folds the adapter into the base and writes a
// Hugging Face folder as a job (session/peft_merge.h, what `sculpt-cli merge` runs).
class PeftController : public QObject {
    Q_OBJECT
public:
    PeftController(JobsPanel *jobs, QWidget *window);

    // The folder attached to the base at `base`, with its updates' spectra; a null `spectra`
    // detaches (another model was opened).
    void setAdapter(const QString &folder, const QString &base, std::shared_ptr<const LoraSpectra> spectra);
    bool attached() const { return spectra_ != nullptr; }
    QString folder() const { return folder_; }
    // "LoRA adapter /x/peft attached: r 8, α 16, 8 modules"; empty when none is.
    QString summary() const;
    // ΔW's spectrum for this weight of the base, or null when the adapter leaves it alone.
    const TensorSpectrum *deltaOf(const QString &weight) const;

    // Merges the attached adapter into its base and writes the result to `output` as a job;
    // nullptr when none is attached, a merge runs already, or `output` is empty.
    BackgroundJob *startMerge(const QString &output);
    void askMerge(); // a folder to write, then startMerge
    QAction *mergeAction() const { return mergeAction_; }

Q_SIGNALS:
    void started(sculpt::BackgroundJob *job);

private:
    void updateAction();

    JobsPanel *jobs_;
    QWidget *window_;
    QAction *mergeAction_;
    QString folder_, base_;
    std::shared_ptr<const LoraSpectra> spectra_;
    QPointer<BackgroundJob> mergeJob_;
};

} // namespace sculpt
