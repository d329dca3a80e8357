#include "table_columns.h"

#include <QCoreApplication>

namespace sculpt {

QVariant columnHeader(const TableColumn &column, const char *context, int role, int csvRole)
{
    if (role == Qt::DisplayRole)
        return QCoreApplication::translate(context, column.label);
    if (role == Qt::ToolTipRole)
        return QCoreApplication::translate(context, column.help);
    if (role == csvRole)
        return QString::fromLatin1(column.csvName);
    return {};
}

} // namespace sculpt
