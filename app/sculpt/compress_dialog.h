#pragma once
#include "session/compression.h"

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

// Asks how to compress the open model: the method (one of the registered passes that takes a
// model of its kind), the target ratio, the calibration data of that kind — a text and how many
// of its documents, and the tokenizer, for a language model; an IDX image set, its labels and
// how many images for a vision model — and the chosen method's own settings, each a field of
// its type with its default and its meaning as a tooltip. Remembers the method, the ratio and
// the calibration files last accepted.
class CompressDialog : public QDialog {
    Q_OBJECT
public:
    CompressDialog(const QString &modelName, ModelKind kind, std::vector<const CompressionPass *> passes,
                   QWidget *parent = nullptr);

    PassRequest request() const;
    const CompressionPass *pass() const; // the chosen one

    void setMethod(const QString &name);
    QComboBox *method() const { return method_; }
    QDoubleSpinBox *ratio() const { return ratio_; } // percent removed
    QLineEdit *calibrationFile() const { return calibration_; }
    QLineEdit *calibrationLabels() const { return labels_; } // a vision model's
    QSpinBox *calibrationCount() const { return count_; }   // documents or images
    QLineEdit *tokenizerFile() const { return tokenizer_; } // a language model's
    // The field of one of the chosen pass's settings — a line edit for numbers, a check box or a
    // combo box — or nullptr.
    QWidget *setting(const QString &key) const;
    QPushButton *okButton() const;
    QPushButton *clusterButton() const { return clusterButton_; }
    // Whether it was accepted by "Run on cluster" (a Slurm job) rather than "Compress" (here).
    bool onCluster() const { return onCluster_; }

    void accept() override; // also remembers the choices

private:
    void showSettings();
    void updateOk();

    ModelKind kind_;
    std::vector<const CompressionPass *> passes_;
    QComboBox *method_;
    QLabel *description_;
    QDoubleSpinBox *ratio_;
    QLineEdit *calibration_, *labels_, *tokenizer_;
    QSpinBox *count_;
    QLabel *calibrationLabel_ = nullptr;     // a language model's: text, or image questions for the passes that need them
    std::vector<QWidget *> calibrationRows_; // the calibration files' rows, enabled for passes that calibrate
    QGroupBox *settingsBox_;
    QFormLayout *settingsForm_;
    std::vector<std::pair<PassSetting, QWidget *>> settingFields_;
    QDialogButtonBox *buttons_;
    QPushButton *clusterButton_ = nullptr;
    bool onCluster_ = false;
};

} // namespace sculpt
