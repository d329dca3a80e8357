#include "label_files.h"

#include <QFileInfo>

namespace sculpt {

QString labelsBeside(const QString &images)
{
    QString guess = images.trimmed();
    guess.replace(QLatin1String("images-idx3"), QLatin1String("labels-idx1"));
    return guess != images.trimmed() && QFileInfo(guess).isFile() ? guess : QString();
}

} // namespace sculpt
