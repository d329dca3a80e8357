#pragma once
// Analyse ▸ Adapt…: which image task, which fine-tuning method (a linear probe, full
// fine-tuning, or one of the adapter kinds offered) and how long, and where the result is
// written (optional).

#include "session/adaptation.h"
#include "task_fields.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace sculpt {

class AdaptDialog : public QDialog {
    Q_OBJECT
public:
    // `kinds`: the adapters to offer beside a linear probe and full fine-tuning; `request`
    // fills the fields (the last one asked, or defaults).
    AdaptDialog(const QString &model, std::vector<AdapterKindInfo> kinds, const AdaptRequest &request,
                QWidget *parent = nullptr);
    AdaptRequest request() const;

private:
    void updateFields(); // what the chosen method uses

    AdaptRequest base_;
    std::vector<AdapterKindInfo> kinds_;
    TaskFields task_;
    QComboBox *method_;
    TrainingFields training_;
    QSpinBox *epochs_;
    QLineEdit *output_;
};

} // namespace sculpt
