#pragma once
#include <QSize>
#include <QString>

class QCustomPlot;

namespace sculpt {

// Writes `plot` as PNG, PDF or SVG, chosen by the suffix of `path` (case-insensitive), at
// `size` in pixels; when empty, at the plot's on-screen size, which for a PNG means the
// screen's device pixels (at device pixel ratio 2, twice the size, at 192 dpi). `title`
// names the drawing in an SVG's metadata. Returns false with `error` set when the suffix is unknown or the file
// cannot be written.
bool exportPlot(QCustomPlot &plot, const QString &path, const QString &title, QSize size = {},
                QString *error = nullptr);

} // namespace sculpt
