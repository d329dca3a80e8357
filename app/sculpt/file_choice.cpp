#include "file_choice.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QObject>

namespace sculpt {

QString checkpointFilter()
{
    return QObject::tr("Checkpoints (*.safetensors *.json *.gguf *.pt *.pth *.bin);;All files (*)");
}

QString chooseCsvFile(QWidget *parent, const QString &title, const QString &suggested)
{
    QString path = QFileDialog::getSaveFileName(parent, title, suggested, QObject::tr("CSV table (*.csv)"));
    if (!path.isEmpty() && QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".csv");
    return path;
}

} // namespace sculpt
