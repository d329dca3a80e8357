#include "table_csv.h"

#include <QAbstractItemModel>
#include <QSaveFile>
#include <QStringList>

namespace sculpt {
namespace {

QString field(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')) &&
        !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace

QString tableToCsv(const QAbstractItemModel &model, int role)
{
    const QString lineEnd = QStringLiteral("\r\n");
    QStringList cells;
    for (int c = 0; c < model.columnCount(); ++c)
        cells << field(model.headerData(c, Qt::Horizontal, role).toString());
    QString csv = cells.join(QLatin1Char(',')) + lineEnd;
    for (int r = 0; r < model.rowCount(); ++r) {
        cells.clear();
        for (int c = 0; c < model.columnCount(); ++c)
            cells << field(model.index(r, c).data(role).toString());
        csv += cells.join(QLatin1Char(',')) + lineEnd;
    }
    return csv;
}

bool saveTableCsv(const QAbstractItemModel &model, int role, const QString &path, QString *error)
{
    QSaveFile file(path);
    const bool saved = file.open(QIODevice::WriteOnly) && file.write(tableToCsv(model, role).toUtf8()) >= 0 &&
                       file.commit();
    if (!saved && error)
        *error = QObject::tr("%1: could not write the table: %2").arg(path, file.errorString());
    return saved;
}

} // namespace sculpt
