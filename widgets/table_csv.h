#pragma once
#include <QString>

class QAbstractItemModel;

namespace sculpt {

// A table model as CSV (RFC 4180, UTF-8, "\r\n" line ends): a header row from
// headerData(column, Qt::Horizontal, role), then every row's data(role), in the model's
// row order (a sort proxy's order when given one). Fields holding a comma, a quote or a
// line break are quoted.
QString tableToCsv(const QAbstractItemModel &model, int role);

// Writes tableToCsv to `path` atomically: the file is whole or untouched. Returns false
// with `error` set when it cannot be written.
bool saveTableCsv(const QAbstractItemModel &model, int role, const QString &path, QString *error = nullptr);

} // namespace sculpt
