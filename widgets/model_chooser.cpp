#include "model_chooser.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QPushButton>

namespace sculpt {
namespace {

constexpr int kFolderRole = Qt::UserRole + 1; // chosen by the user, not offered by the window

} // namespace

ModelChooser::ModelChooser(const QString &none, const QString &folderTitle, QWidget *parent)
    : QWidget(parent), combo_(new QComboBox), browse_(new QPushButton(tr("Folder…"))), none_(none)
{
    combo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(combo_, 1);
    layout->addWidget(browse_);
    connect(browse_, &QPushButton::clicked, this, [this, folderTitle] {
        const QString chosen = QFileDialog::getExistingDirectory(this, folderTitle);
        if (!chosen.isEmpty())
            chooseFolder(chosen);
    });
    connect(combo_, &QComboBox::activated, this, &ModelChooser::chosen);
    setChoices({});
}

void ModelChooser::setChoices(const std::vector<Choice> &choices)
{
    const QString kept = combo_->currentData().toString();
    QStringList folders;
    for (int i = 0; i < combo_->count(); ++i)
        if (combo_->itemData(i, kFolderRole).toBool())
            folders << combo_->itemData(i).toString();
    combo_->clear();
    if (!none_.isEmpty())
        combo_->addItem(none_, QString());
    for (const Choice &choice : choices)
        combo_->addItem(choice.name, choice.key);
    for (const QString &folder : folders) {
        combo_->addItem(QFileInfo(folder).fileName(), folder);
        combo_->setItemData(combo_->count() - 1, true, kFolderRole);
        combo_->setItemData(combo_->count() - 1, folder, Qt::ToolTipRole);
    }
    combo_->setCurrentIndex(std::max(0, combo_->findData(kept)));
}

void ModelChooser::chooseFolder(const QString &folder)
{
    int at = combo_->findData(folder);
    if (at < 0) {
        combo_->addItem(QFileInfo(folder).fileName(), folder);
        at = combo_->count() - 1;
        combo_->setItemData(at, true, kFolderRole);
        combo_->setItemData(at, folder, Qt::ToolTipRole);
    }
    combo_->setCurrentIndex(at);
    Q_EMIT chosen();
}

QString ModelChooser::chosenKey() const { return combo_->currentData().toString(); }

QString ModelChooser::chosenName() const { return chosenKey().isEmpty() ? QString() : combo_->currentText(); }

} // namespace sculpt
