#include "browse_row.h"

#include "label_files.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace sculpt {

namespace {

// The row: `field`, then the button that asks `choose` with read() and hands a chosen path to write().
QWidget *browseRow(QWidget *field, std::function<QString()> read, std::function<void(const QString &)> write,
                   PathChooser choose)
{
    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(field, 1);
    auto *browse = new QPushButton(QObject::tr("Browse…"));
    layout->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, field,
                     [read = std::move(read), write = std::move(write), choose = std::move(choose)] {
                         const QString chosen = choose(read());
                         if (!chosen.isEmpty())
                             write(chosen);
                     });
    return row;
}

} // namespace

QWidget *withBrowseButton(QLineEdit *field, PathChooser choose)
{
    return browseRow(
        field, [field] { return field->text(); },
        [field](const QString &chosen) {
            field->setText(chosen);
            Q_EMIT field->editingFinished();
        },
        std::move(choose));
}

QWidget *withBrowseButton(QComboBox *field, PathChooser choose)
{
    return browseRow(
        field, [field] { return field->currentText(); },
        [field](const QString &chosen) { field->setEditText(chosen); }, std::move(choose));
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
