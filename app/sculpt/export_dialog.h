#pragma once
#include "compress/compressed_model.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLineEdit;

namespace sculpt {

// Asks where to export a compressed model and how: a folder to create (or an earlier Sculpt
// export to replace) and the format, factorized or dense.
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(const QString &passName, const QString &suggestedFolder, QWidget *parent = nullptr);

    QString folder() const;
    ExportFormat format() const;
    QLineEdit *folderField() const { return folder_; }
    QComboBox *formatChoice() const { return format_; }
    QPushButton *okButton() const;

private:
    void updateOk();

    QLineEdit *folder_;
    QComboBox *format_;
    QDialogButtonBox *buttons_;
};

} // namespace sculpt
