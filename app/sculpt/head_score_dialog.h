#pragma once
// Analyse ▸ Head scores… and Mask heads…: which image task, which strategy, what to fine-tune
// first; for a mask also the fraction of heads that go, how they are ranked, and where the
// pruned model is written.

#include "session/head_scores.h"
#include "task_fields.h"

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace sculpt {

class HeadScoreDialog : public QDialog {
    Q_OBJECT
public:
    // `strategies` as registered; `request` fills the fields (the last one asked, or defaults).
    // With request.mask ≥ 0 the dialog asks for a HEAT run: the mask's fields are shown.
    HeadScoreDialog(const QString &model, const QStringList &strategies, const HeadScoreRequest &request,
                    QWidget *parent = nullptr);
    HeadScoreRequest request() const;

private:
    HeadScoreRequest base_;
    TaskFields task_;
    QComboBox *strategy_, *adapter_;
    QSpinBox *epochs_, *maskPercent_ = nullptr;
    QCheckBox *perLayer_ = nullptr;
    QLineEdit *output_ = nullptr;
};

} // namespace sculpt
