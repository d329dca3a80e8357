#pragma once
// Widget tests must neither read nor write the user's settings (recent files, window
// layout): QSettings goes to Qt's test-mode folder (~/.qttest), under an organisation of
// its own, emptied at the start.

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>

namespace sculpt::test {

inline void isolateSettings()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("sculpt-tests"));
    QSettings().clear();
}

} // namespace sculpt::test
