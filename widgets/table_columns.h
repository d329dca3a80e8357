#pragma once
// The columns of the tables a researcher sorts and exports (metrics, evaluations): each
// with its header, its CSV name and a one-sentence help shown as the header's tooltip.

#include <QVariant>

namespace sculpt {

struct TableColumn {
    const char *label;
    const char *csvName;
    const char *help;
};

// headerData of such a column: the label and the help translated in `context` (the model's
// class, as its tr() would), the CSV name under `csvRole`.
QVariant columnHeader(const TableColumn &column, const char *context, int role, int csvRole);

} // namespace sculpt
