#include "export_dialog.h"

#include "browse_row.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace sculpt {

ExportDialog::ExportDialog(const QString &passName, const QString &suggestedFolder, QWidget *parent)
    : QDialog(parent), folder_(new QLineEdit(suggestedFolder)), format_(new QComboBox),
      buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setObjectName(QStringLiteral("exportDialog"));
    setWindowTitle(tr("Export %1").arg(passName));
    format_->addItem(tr("Factorized: A and B per compressed layer (smaller)"), int(ExportFormat::Factorized));
    format_->addItem(tr("Dense: A·B under the original names (loads anywhere)"), int(ExportFormat::Dense));
    format_->setToolTip(tr("Factorized files shrink with the ratio and reopen in Sculpt; dense files keep the "
                           "original size and load in tools that know nothing of Sculpt"));
    folder_->setMinimumWidth(folder_->fontMetrics().averageCharWidth() * 56);
    folder_->setClearButtonEnabled(true);

    QWidget *row = withBrowseButton(folder_, [this](const QString &current) {
        return QFileDialog::getSaveFileName(this, tr("Folder to export to"), current, {}, nullptr,
                                            QFileDialog::ShowDirsOnly);
    });

    auto *form = new QFormLayout;
    form->addRow(tr("&Folder:"), row);
    form->addRow(tr("F&ormat:"), format_);
    auto *note = new QLabel(tr("A Hugging Face folder: config.json (with the method, the ratio and every layer's "
                               "rank), model.safetensors and the tokenizer. It appears complete or not at all; an "
                               "existing folder is replaced only when Sculpt exported it."));
    note->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons_);
    okButton()->setText(tr("&Export"));
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(folder_, &QLineEdit::textChanged, this, &ExportDialog::updateOk);
    updateOk();
}

QString ExportDialog::folder() const { return folder_->text().trimmed(); }

ExportFormat ExportDialog::format() const { return ExportFormat(format_->currentData().toInt()); }

QPushButton *ExportDialog::okButton() const { return buttons_->button(QDialogButtonBox::Ok); }

// The folder's parent must exist; the folder itself is made by the export.
void ExportDialog::updateOk()
{
    const QFileInfo target(folder());
    okButton()->setEnabled(!folder().isEmpty() && target.absoluteDir().exists() && !target.isFile());
}

} // namespace sculpt
