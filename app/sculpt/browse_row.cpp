#include "browse_row.h"

#include "label_files.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace sculpt {

QWidget *withBrowseButton(QLineEdit *field, PathChooser choose)
{
    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(field, 1);
    auto *browse = new QPushButton(QObject::tr("Browse…"));
    layout->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, field, [field, choose = std::move(choose)] {
        const QString chosen = choose(field->text());
        if (chosen.isEmpty())
            return;
        field->setText(chosen);
        Q_EMIT field->editingFinished();
    });
    return row;
}

PathChooser existingFile(QWidget *parent, const QString &caption, const QString &filter)
{
    return [parent, caption, filter](const QString &current) {
        return QFileDialog::getOpenFileName(parent, caption, QFileInfo(current).path(), filter);
    };
}

bool namesFile(const QLineEdit *field) { return QFileInfo(field->text().trimmed()).isFile(); }

void guessLabels(const QLineEdit *images, QLineEdit *labels)
{
    if (const QString guess = labelsBeside(images->text()); !guess.isEmpty() && !namesFile(labels))
        labels->setText(guess);
}

} // namespace sculpt
