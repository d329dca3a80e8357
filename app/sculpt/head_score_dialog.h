#pragma once
// Analyse ▸ Head scores…: which image task, which strategy, what to fine-tune first.

#include "session/head_scores.h"

#include <QDialog>
#include <QStringList>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace sculpt {

class HeadScoreDialog : public QDialog {
    Q_OBJECT
public:
    // `strategies` as registered; `request` fills the fields (the last one asked, or defaults).
    HeadScoreDialog(const QString &model, const QStringList &strategies, const HeadScoreRequest &request,
                    QWidget *parent = nullptr);
    HeadScoreRequest request() const;

private:
    HeadScoreRequest base_;
    QComboBox *task_, *strategy_, *adapter_;
    QSpinBox *epochs_;
    QLineEdit *dataRoot_;
};

} // namespace sculpt
