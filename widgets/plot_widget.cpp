#include "plot_widget.h"

#include <QEvent>
#include <QFileInfo>
#include <QSvgGenerator>
#include <cmath>
#include <qcustomplot.h>

namespace sculpt {
namespace {

// The parts every plot has; the grid faint enough for the curves to stay in front.
void colourFrame(QCustomPlot &plot, const QPalette &palette)
{
    const QColor text = palette.color(QPalette::Text), base = palette.color(QPalette::Base);
    QColor grid = text, subGrid = text, legendBackground = base;
    grid.setAlphaF(0.18f);
    subGrid.setAlphaF(0.07f);
    legendBackground.setAlphaF(0.85f);
    plot.setBackground(palette.brush(QPalette::Base));
    for (QCPAxis *axis : {plot.xAxis, plot.yAxis, plot.xAxis2, plot.yAxis2}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setLabelColor(text);
        axis->setTickLabelColor(text);
        axis->grid()->setPen(QPen(grid, 0, Qt::SolidLine));
        axis->grid()->setSubGridPen(QPen(subGrid, 0, Qt::SolidLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    plot.legend->setBrush(legendBackground);
    plot.legend->setBorderPen(QPen(grid));
    plot.legend->setTextColor(text);
}

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

PlotWidget::PlotWidget(QWidget *parent) : QWidget(parent), plot_(new QCustomPlot(this)) {}

void PlotWidget::applyPalette()
{
    const QPalette pal = palette();
    colourFrame(*plot_, pal);
    colourContent(pal);
}

void PlotWidget::followDevicePixelRatio()
{
    const double ratio = plot_->devicePixelRatioF();
    if (!qFuzzyCompare(ratio, plot_->bufferDevicePixelRatio())) {
        plot_->setBufferDevicePixelRatio(ratio);
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
}

bool PlotWidget::event(QEvent *event)
{
    switch (event->type()) {
    case QEvent::PaletteChange:
        applyPalette();
        plot_->replot(QCustomPlot::rpQueuedReplot);
        break;
    // Qt tells the widgets of a window that its screen (hence perhaps its ratio) changed by
    // ScreenChangeInternal, from Qt 6.6 also by DevicePixelRatioChange. A plot made outside
    // any window and put into one already shown hears of that window's screen only by its Show.
    case QEvent::ScreenChangeInternal:
    case QEvent::Show:
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    case QEvent::DevicePixelRatioChange:
#endif
        followDevicePixelRatio();
        break;
    default:
        break;
    }
    return QWidget::event(event);
}

bool PlotWidget::exportPlot(const QString &path, const QString &title, QSize size, QString *error) const
{
    // Without a size asked for, a PNG has the pixels the screen shows: twice the plot's
    // size at device pixel ratio 2, drawn at that resolution (not scaled up), and a
    // resolution saying so, so viewers show it at the size it had on screen.
    double scale = 1;
    if (size.isEmpty()) {
        size = plot_->size();
        scale = plot_->devicePixelRatioF();
    }
    if (size.isEmpty()) // never shown: a size that reads well on a page
        size = QSize(1000, 650);
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool written = false;
    if (suffix == QLatin1String("png"))
        written = plot_->savePng(path, size.width(), size.height(), scale, -1, int(std::lround(96 * scale)));
    else if (suffix == QLatin1String("pdf"))
        written = plot_->savePdf(path, size.width(), size.height());
    else if (suffix == QLatin1String("svg"))
        written = saveSvg(*plot_, path, title, size);
    else {
        if (error)
            *error = tr("%1: unknown plot format (use .png, .pdf or .svg)").arg(path);
        return false;
    }
    if (!written && error)
        *error = tr("%1: could not write the plot").arg(path);
    return written;
}

} // namespace sculpt
