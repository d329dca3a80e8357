#include "plot_export.h"

#include <QFileInfo>
#include <QSvgGenerator>
#include <cmath>
#include <qcustomplot.h>

namespace sculpt {
namespace {

bool saveSvg(QCustomPlot &plot, const QString &path, const QString &title, QSize size)
{
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setResolution(96); // CSS pixels, so the drawing opens at the size it was exported at
    svg.setTitle(title);
    svg.setDescription(QObject::tr("Exported from Sculpt"));
    QCPPainter painter;
    if (!painter.begin(&svg))
        return false;
    plot.toPainter(&painter, size.width(), size.height());
    return painter.end();
}

} // namespace

bool exportPlot(QCustomPlot &plot, const QString &path, const QString &title, QSize size, QString *error)
{
    // Without a size asked for, a PNG has the pixels the screen shows: twice the plot's
    // size at device pixel ratio 2, drawn at that resolution (not scaled up), and a
    // resolution saying so, so viewers show it at the size it had on screen.
    double scale = 1;
    if (size.isEmpty()) {
        size = plot.size();
        scale = plot.devicePixelRatioF();
    }
    if (size.isEmpty()) // never shown: a size that reads well on a page
        size = QSize(1000, 650);
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool written = false;
    if (suffix == QLatin1String("png"))
        written = plot.savePng(path, size.width(), size.height(), scale, -1, int(std::lround(96 * scale)));
    else if (suffix == QLatin1String("pdf"))
        written = plot.savePdf(path, size.width(), size.height());
    else if (suffix == QLatin1String("svg"))
        written = saveSvg(plot, path, title, size);
    else {
        if (error)
            *error = QObject::tr("%1: unknown plot format (use .png, .pdf or .svg)").arg(path);
        return false;
    }
    if (!written && error)
        *error = QObject::tr("%1: could not write the plot").arg(path);
    return written;
}

} // namespace sculpt
