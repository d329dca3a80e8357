#include "browse_row.h"

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
    QString guess = images->text().trimmed();
    guess.replace(QLatin1String("images-idx3"), QLatin1String("labels-idx1"));
    if (guess != images->text().trimmed() && QFileInfo(guess).isFile() &&
        (labels->text().trimmed().isEmpty() || !namesFile(labels)))
        labels->setText(guess);
}

} // namespace sculpt
