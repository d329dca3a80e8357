#pragma once
#include "compression.h"

#include <QDialog>
#include <vector>

class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace sculpt {

// Asks how to compress the open model: the method (one of the registered passes), the
// target ratio, the calibration text and how many of its documents, the tokenizer, and the
// chosen method's own settings, each with its default and its meaning as a tooltip.
// Remembers the method, the ratio and the calibration file last accepted.
class CompressDialog : public QDialog {
    Q_OBJECT
public:
    CompressDialog(const QString &modelName, std::vector<const CompressionPass *> passes, QWidget *parent = nullptr);

    PassRequest request() const;
    const CompressionPass *pass() const; // the chosen one

    void setMethod(const QString &name);
    QComboBox *method() const { return method_; }
    QDoubleSpinBox *ratio() const { return ratio_; } // percent removed
    QLineEdit *calibrationFile() const { return calibration_; }
    QSpinBox *calibrationDocuments() const { return documents_; }
    QLineEdit *tokenizerFile() const { return tokenizer_; }
    // The field of one of the chosen pass's settings, or nullptr.
    QLineEdit *setting(const QString &key) const;
    QPushButton *okButton() const;

    void accept() override; // also remembers the choices

private:
    void showSettings();
    void updateOk();

    std::vector<const CompressionPass *> passes_;
    QComboBox *method_;
    QLabel *description_;
    QDoubleSpinBox *ratio_;
    QLineEdit *calibration_, *tokenizer_;
    QSpinBox *documents_;
    QGroupBox *settingsBox_;
    QFormLayout *settingsForm_;
    std::vector<QLineEdit *> settingFields_;
    QDialogButtonBox *buttons_;
};

} // namespace sculpt
