#include "demo_model.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace sculpt {

QString demoModelPath()
{
    const QString installed =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/sculpt/models/fashion-vit"));
    for (const QString &candidate : {installed, QStringLiteral(SCULPT_SOURCE_DEMO_MODEL)})
        if (QFileInfo::exists(candidate + QStringLiteral("/config.json")))
            return QDir::cleanPath(candidate);
    return {};
}

} // namespace sculpt
