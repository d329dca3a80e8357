#pragma once
#include "plot_widget.h"
#include "records/head_scores.h"

#include <QStringList>
#include <optional>
#include <vector>

class QCPColorMap;
class QCPColorScale;
class QCPItemText;
class QCPTextElement;
class QCheckBox;
class QComboBox;
class QLabel;
class QMouseEvent;
class QSlider;

namespace sculpt {

class MaskCrosses;

// Every attention head's importance by one strategy as a heatmap, layers × heads, with the
// heads a mask of fraction p removes crossed out. The researcher moves p, chooses whether
// heads compete across the model or within their layer, and clicks a head to find its
// projections. Layer 0 is the top row, as the model tree lists blocks; head 0 the left
// column. The widget shows scores; it does not compute them.
class HeadScoreMap : public PlotWidget {
    Q_OBJECT
public:
    explicit HeadScoreMap(QWidget *parent = nullptr);

    // Throws std::invalid_argument, and keeps what it showed, for scores checkHeadScores
    // refuses (a values vector that is not layers × heads long, a NaN).
    void setScores(const HeadScores &scores);
    const HeadScores &scores() const { return scores_; }

    // The fraction of heads to mask, clamped to [0, 1] (NaN is ignored); the slider shows it
    // in whole percent.
    void setMaskFraction(double p);
    double maskFraction() const { return fraction_; }
    // Rank heads within each layer (⌊p·heads⌋ go from every layer) instead of across the model.
    void setPerLayer(bool perLayer);
    bool perLayer() const { return perLayer_; }
    // The heads that go, in (layer, head) order: headsToMask of the current settings.
    const std::vector<LayerHead> &maskedHeads() const { return masked_; }

    // The strategies to offer; the one of the shown scores is selected when listed.
    void setStrategies(const QStringList &strategies);

    std::optional<LayerHead> headAt(QPointF pixel) const; // the cell under this plot pixel
    QString hoverText() const { return hover_; }          // also the tooltip, empty off the cells

    QCPColorMap *colourMap() const { return map_; }
    QCPColorScale *colourScale() const { return scale_; }
    QSlider *maskSlider() const { return slider_; }
    QCheckBox *perLayerChoice() const { return perLayerBox_; }
    QComboBox *strategyChoice() const { return strategyBox_; }
    QSize sizeHint() const override { return {700, 500}; }

Q_SIGNALS:
    void maskChanged(); // maskedHeads() changed
    void headClicked(int64_t layer, int64_t head);
    void strategyChosen(const QString &strategy); // by the user, in the selector

private:
    void rebuildMap();
    void updateMask();
    void showHover(const QString &text, QPoint globalPosition);
    void onMouseMove(QMouseEvent *event);
    void colourContent(const QPalette &palette) override;

    QComboBox *strategyBox_;
    QCheckBox *perLayerBox_;
    QSlider *slider_;
    QLabel *maskLabel_;
    QCPTextElement *title_;
    QCPColorMap *map_;
    QCPColorScale *scale_;
    QCPItemText *hint_;
    MaskCrosses *crosses_; // over the heads that go

    HeadScores scores_;
    std::vector<int64_t> ranks_; // headRanks of the current ranking
    std::vector<LayerHead> masked_;
    double fraction_ = 0;
    bool perLayer_ = false;
    QString hover_;
    std::optional<LayerHead> pressed_;
};

} // namespace sculpt
