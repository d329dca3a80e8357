#pragma once
// Analyse ▸ Adapt…: which image task, which fine-tuning method and how long, and where the
// result is written (optional).

#include "session/adaptation.h"
#include "task_fields.h"

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace sculpt {

class AdaptDialog : public QDialog {
    Q_OBJECT
public:
    // `request` fills the fields (the last one asked, or defaults).
    AdaptDialog(const QString &model, const AdaptRequest &request, QWidget *parent = nullptr);
    AdaptRequest request() const;

private:
    void updateFields(); // what the chosen method uses

    AdaptRequest base_;
    TaskFields task_;
    QComboBox *method_;
    QSpinBox *rank_, *epochs_, *seed_;
    QDoubleSpinBox *learningRate_;
    QLineEdit *output_;
};

} // namespace sculpt
