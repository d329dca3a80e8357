#pragma once
#include <QSize>
#include <QString>

class QCustomPlot;

namespace sculpt {

// Writes `plot` as PNG, PDF or SVG, chosen by the suffix of `path` (case-insensitive), at
// `size` in pixels (the plot's on-screen size when empty); `title` names the drawing in an
// SVG's metadata. Returns false with `error` set when the suffix is unknown or the file
// cannot be written.
bool exportPlot(QCustomPlot &plot, const QString &path, const QString &title, QSize size = {},
                QString *error = nullptr);

} // namespace sculpt
