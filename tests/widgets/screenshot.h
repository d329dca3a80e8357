#pragma once
// Saves a widget as the researcher would see it, under screenshots/ beside the test, for
// looking at after a run.

#include <QCoreApplication>
#include <QDir>
#include <QTest>
#include <QWidget>

namespace sculpt::test {

inline void screenshot(QWidget &widget, const QString &name)
{
    const QString folder = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("screenshots"));
    QVERIFY(QDir().mkpath(folder));
    QTest::qWait(30); // let queued replots draw
    QVERIFY(widget.grab().save(QDir(folder).filePath(name)));
}

} // namespace sculpt::test
