#pragma once
#include "plot_widget.h"
#include "records/expert_routing.h"

#include <cstdint>
#include <optional>
#include <utility>

class QCPColorMap;
class QCPColorScale;
class QCPItemText;
class QCPTextElement;
class QMouseEvent;

namespace sculpt {

// Lily's routers as a heatmap, adapted layers × experts: the mean weight each layer's router
// gave each expert. The first row is the top one, as the model tree lists blocks; expert 0
// the left column. The colours span [0, 1] whatever the weights, so two runs' maps compare.
class ExpertRoutingMap : public PlotWidget {
    Q_OBJECT
public:
    explicit ExpertRoutingMap(QWidget *parent = nullptr);

    // Throws std::invalid_argument, and keeps what it showed, for a routing checkExpertRouting
    // refuses (weights not rows × experts long, a row not summing to 1).
    void setRouting(const ExpertRouting &routing);
    const ExpertRouting &routing() const { return routing_; }

    // The (row, expert) under this plot pixel.
    std::optional<std::pair<size_t, int64_t>> cellAt(QPointF pixel) const;
    QString hoverText() const { return hover_; } // also the tooltip, empty off the cells

    QCPColorMap *colourMap() const { return map_; }
    QCPColorScale *colourScale() const { return scale_; }
    QSize sizeHint() const override { return {640, 280}; }

private:
    void rebuildMap();
    void onMouseMove(QMouseEvent *event);
    void colourContent(const QPalette &palette) override;

    QCPTextElement *title_;
    QCPColorMap *map_;
    QCPColorScale *scale_;
    QCPItemText *hint_;

    ExpertRouting routing_;
    QString hover_;
};

} // namespace sculpt
