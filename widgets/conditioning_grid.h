#pragma once
#include "layout/panel_conditioning.h"

#include <QRectF>
#include <QString>
#include <QWidget>

namespace sculpt {

// A PanelConditioning drawn as MangaDiffusion is fed it: one page-size canvas per slot, its
// intra-panel mask's cells filled and the text boxes it leaves out hatched, its caption under
// it ("EMPTY" greyed for padding); above them the inter-panel mask, one mark per slot, filled
// for a panel that attends. One slot is current; a click makes another current.
class ConditioningGrid : public QWidget {
    Q_OBJECT
public:
    explicit ConditioningGrid(QWidget *parent = nullptr);

    void setConditioning(const PanelConditioning &conditioning);
    const PanelConditioning &conditioning() const { return conditioning_; }
    int slotCount() const { return int(conditioning_.canvases.size()); }

    int current() const { return current_; }
    void setCurrent(int slot); // clamped to the slots; −1 when there are none

    // What is written under a slot: its number and caption, or EMPTY.
    QString slotText(int slot) const;
    // Where a slot's canvas (and its mark in the inter-panel row) is drawn; the slot under a
    // widget position, or −1.
    QRectF canvasRect(int slot) const;
    QRectF markRect(int slot) const;
    int slotAt(QPointF position) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void currentChanged(int slot);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    struct Geometry {
        int columns = 1;
        double width = 0, height = 0; // a canvas's
        double captionHeight = 0, markRow = 0;
    };
    // The slots laid out in as many columns as makes the canvases largest.
    Geometry geometry() const;
    void paintCanvas(QPainter &painter, const PanelCanvas &canvas, const QRectF &place) const;

    PanelConditioning conditioning_;
    int current_ = -1;
};

} // namespace sculpt
