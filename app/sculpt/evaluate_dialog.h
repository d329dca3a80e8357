#pragma once
#include "session/evaluation.h"

#include <QDialog>

class QDialogButtonBox;
class QPushButton;
class QLineEdit;
class QSpinBox;
class QTabWidget;

namespace sculpt {

// Asks what to evaluate the open model on: a text for perplexity (with its tokenizer and how
// many documents), or an IDX image set for accuracy (labels, a ViT's sidecar config, how many
// images). Opens on the kind that suits the model; remembers the files last chosen.
class EvaluateDialog : public QDialog {
    Q_OBJECT
public:
    enum class Kind { Perplexity, Accuracy };

    EvaluateDialog(const QString &modelName, Kind kind, QWidget *parent = nullptr);

    EvaluationRequest request() const;
    Kind kind() const;
    void setKind(Kind kind);

    // The fields, for tests and for code that fills them in.
    QLineEdit *textFile() const { return text_; }
    QLineEdit *tokenizerFile() const { return tokenizer_; }
    QSpinBox *maxDocuments() const { return maxDocuments_; }
    QLineEdit *imagesFile() const { return images_; }
    QLineEdit *labelsFile() const { return labels_; }
    QLineEdit *configFile() const { return config_; }
    QSpinBox *imageLimit() const { return limit_; }

    void accept() override; // also remembers the files
    // Whether it was accepted by "Run on cluster" (a Slurm job) rather than "Evaluate" (here).
    bool onCluster() const { return onCluster_; }

private:
    // Starts with the path last accepted under `settingsKey`, if one is given.
    QLineEdit *fileField(const QString &settingsKey, const QString &placeholder);
    void updateOk();

    QTabWidget *kinds_;
    QLineEdit *text_, *tokenizer_, *images_, *labels_, *config_;
    QSpinBox *maxDocuments_, *limit_;
    QDialogButtonBox *buttons_;
    QPushButton *clusterButton_;
    bool onCluster_ = false;
};

} // namespace sculpt
