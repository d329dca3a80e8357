#include "conditioning_grid.h"

#include "plot_style.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace sculpt {
namespace {

constexpr double kGap = 8;

} // namespace

ConditioningGrid::ConditioningGrid(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setToolTip(tr("Each slot is a canvas the size of the page: the panel's intra-panel mask filled, the text boxes "
                  "it leaves out hatched. The marks above are the inter-panel mask: padding (EMPTY) is hidden."));
}

void ConditioningGrid::setConditioning(const PanelConditioning &conditioning)
{
    conditioning_ = conditioning;
    const int kept = current_;
    current_ = -2; // so that setCurrent tells of the slot even when its index stays
    setCurrent(std::max(kept, 0));
    update();
}

void ConditioningGrid::setCurrent(int slot)
{
    const int clamped = slotCount() == 0 ? -1 : std::clamp(slot, 0, slotCount() - 1);
    if (clamped == current_)
        return;
    current_ = clamped;
    update();
    Q_EMIT currentChanged(current_);
}

QString ConditioningGrid::slotText(int slot) const
{
    if (slot < 0 || slot >= slotCount())
        return {};
    const PanelCanvas &canvas = conditioning_.canvases[size_t(slot)];
    return canvas.padding ? QString::fromLatin1(kEmptyCaption)
                          : QStringLiteral("%1 · %2").arg(slot + 1).arg(QString::fromStdString(canvas.caption));
}

ConditioningGrid::Geometry ConditioningGrid::geometry() const
{
    Geometry g;
    g.markRow = fontMetrics().height() + 8;
    g.captionHeight = fontMetrics().height() + 4;
    const int n = slotCount();
    if (n == 0 || !(conditioning_.pageWidth > 0))
        return g;
    const double aspect = conditioning_.pageHeight / conditioning_.pageWidth;
    const double width = this->width(), height = this->height() - g.markRow;
    for (int columns = 1; columns <= n; ++columns) {
        const int rows = (n + columns - 1) / columns;
        const double w = std::min(width / columns - kGap, (height / rows - g.captionHeight - kGap) / aspect);
        if (w > g.width) {
            g.columns = columns;
            g.width = w;
        }
    }
    g.height = g.width * aspect;
    return g;
}

QRectF ConditioningGrid::canvasRect(int slot) const
{
    const Geometry g = geometry();
    if (slot < 0 || slot >= slotCount() || g.width <= 0)
        return {};
    const int row = slot / g.columns, column = slot % g.columns;
    return {column * (g.width + kGap) + kGap / 2, g.markRow + row * (g.height + g.captionHeight + kGap) + kGap / 2,
            g.width, g.height};
}

QRectF ConditioningGrid::markRect(int slot) const
{
    const Geometry g = geometry();
    const double side = g.markRow - 10;
    const double left = fontMetrics().horizontalAdvance(tr("Inter-panel mask")) + 2 * kGap;
    return {left + slot * (side + 4), 5, side, side};
}

int ConditioningGrid::slotAt(QPointF position) const
{
    for (int slot = 0; slot < slotCount(); ++slot) {
        QRectF around = canvasRect(slot);
        around.setHeight(around.height() + geometry().captionHeight);
        if (around.contains(position) || markRect(slot).contains(position))
            return slot;
    }
    return -1;
}

QSize ConditioningGrid::sizeHint() const { return {560, 260}; }

QSize ConditioningGrid::minimumSizeHint() const { return {240, 120}; }

void ConditioningGrid::mousePressEvent(QMouseEvent *event)
{
    if (const int slot = slotAt(event->position()); slot >= 0)
        setCurrent(slot);
}

void ConditioningGrid::paintCanvas(QPainter &painter, const PanelCanvas &canvas, const QRectF &place) const
{
    const PanelConditioning &c = conditioning_;
    painter.fillRect(place, canvas.padding ? palette().color(QPalette::Midlight) : QColor(Qt::white));
    const double cellWidth = place.width() / c.columns, cellHeight = place.height() / c.rows;
    const QColor fill = seriesColour(2);
    // A row's run of filled cells as one rectangle: a 64-column mask is thousands of cells.
    for (int row = 0; row < c.rows; ++row)
        for (int column = 0; column < c.columns;) {
            const auto at = [&](int col) { return canvas.intraMask[size_t(row) * size_t(c.columns) + size_t(col)] != 0; };
            if (!at(column)) {
                ++column;
                continue;
            }
            int end = column;
            while (end < c.columns && at(end))
                ++end;
            painter.fillRect(QRectF(place.left() + column * cellWidth, place.top() + row * cellHeight,
                                    (end - column) * cellWidth, cellHeight),
                             fill);
            column = end;
        }
    const double sx = place.width() / c.pageWidth, sy = place.height() / c.pageHeight;
    const auto toPlace = [&](const Box &b) {
        return QRectF(place.left() + b.x0 * sx, place.top() + b.y0 * sy, b.width() * sx, b.height() * sy);
    };
    painter.setPen(QPen(palette().color(QPalette::Text), 0));
    painter.setBrush(QBrush(palette().color(QPalette::Text), Qt::BDiagPattern));
    for (const Box &text : canvas.textBoxes)
        painter.drawRect(toPlace(text));
    painter.setBrush(Qt::NoBrush);
    if (!canvas.padding)
        painter.drawRect(toPlace(canvas.box));
    painter.setPen(QPen(palette().color(QPalette::Mid), 0));
    painter.drawRect(place);
}

void ConditioningGrid::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    if (slotCount() == 0)
        return;
    const Geometry g = geometry();
    const QColor text = palette().color(QPalette::Text);
    const QColor grey = palette().color(QPalette::Disabled, QPalette::Text);
    const QColor highlight = palette().color(QPalette::Highlight);

    painter.setPen(text);
    painter.drawText(QRectF(kGap, 0, markRect(0).left() - kGap, g.markRow), Qt::AlignVCenter, tr("Inter-panel mask"));
    for (int slot = 0; slot < slotCount(); ++slot) {
        const bool attends = conditioning_.interMask[size_t(slot)] != 0;
        painter.setPen(QPen(slot == current_ ? highlight : text, slot == current_ ? 2 : 1));
        painter.setBrush(attends ? QBrush(text) : Qt::NoBrush);
        painter.drawRect(markRect(slot));
    }
    if (g.width <= 0)
        return;
    for (int slot = 0; slot < slotCount(); ++slot) {
        const PanelCanvas &canvas = conditioning_.canvases[size_t(slot)];
        const QRectF place = canvasRect(slot);
        paintCanvas(painter, canvas, place);
        if (slot == current_) {
            painter.setPen(QPen(highlight, 3));
            painter.setBrush(Qt::NoBrush);
            painter.drawRect(place.adjusted(-2, -2, 2, 2));
        }
        const QRectF caption(place.left(), place.bottom() + 2, place.width(), g.captionHeight);
        painter.setPen(canvas.padding ? grey : text);
        painter.drawText(caption, Qt::AlignHCenter | Qt::AlignTop,
                         fontMetrics().elidedText(slotText(slot), Qt::ElideRight, int(caption.width())));
    }
}

} // namespace sculpt
