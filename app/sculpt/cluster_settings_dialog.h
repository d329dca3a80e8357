#pragma once
// Analyse ▸ Cluster settings…: the cluster the window and `sculpt-cli` submit to, edited where
// both read it (cluster_config.h's file). A value Slurm would not take is named in the dialog,
// which stays open, and the file keeps what it held.

#include <QDialog>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace sculpt {

class ClusterSettingsDialog : public QDialog {
    Q_OBJECT
public:
    // Shows the settings in `path` when it reads; empty fields otherwise.
    ClusterSettingsDialog(const QString &path, QWidget *parent = nullptr);

    void accept() override; // writes the file, or says why not and stays open
    QString error() const;  // why the last accept() did not write; empty when it did

private:
    QString path_;
    QLineEdit *sharedFolder_, *sculptCli_, *partition_, *account_, *timeLimit_, *memory_;
    QSpinBox *cpus_, *gpus_;
    QPlainTextEdit *sbatchOptions_;
    QLabel *error_;
};

} // namespace sculpt
