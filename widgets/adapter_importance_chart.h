#pragma once
#include "plot_widget.h"
#include "records/adapter_scores.h"

#include <optional>
#include <vector>

class QCPItemLine;
class QCPItemStraightLine;
class QCPItemText;
class QCPTextElement;
class QLabel;
class QMouseEvent;
class QSlider;

namespace sculpt {

class AdapterBars;

// Pear's adapter importance: one bar per adapter position at its score, in the model's order,
// with a threshold the researcher drags (or a slider) to choose p; the ⌊p·N⌋ weakest bars are
// drawn pruned. Given the run's sharing, while p prunes what the run pruned, an arrow leads
// from each serving adapter's bar to each pruned bar it serves. The widget shows the ranking
// of records/adapter_scores.h; it computes none of its own.
class AdapterImportanceChart : public PlotWidget {
    Q_OBJECT
public:
    explicit AdapterImportanceChart(QWidget *parent = nullptr);

    // Throws std::invalid_argument, and keeps what it showed, for a score that is not finite
    // or a sharing that does not fit the scores (checkAdapterSharing, or pruned flags other than
    // weakestAdapters' at its fraction). With a sharing, p becomes the run's.
    void setScores(std::vector<AdapterScore> scores, std::optional<AdapterSharing> sharing = {});
    const std::vector<AdapterScore> &scores() const { return scores_; }
    const std::optional<AdapterSharing> &sharing() const { return sharing_; }

    // p, clamped to [0, 1] (NaN is ignored); the slider shows it in whole percent.
    void setFraction(double p);
    double fraction() const { return fraction_; }
    std::vector<size_t> prunedPositions() const; // weakestAdapters at p, as indices into scores()

    std::optional<size_t> positionAt(QPointF pixel) const; // the bar whose column holds this plot pixel
    QString hoverText() const { return hover_; }            // also the tooltip, empty off the bars

    const std::vector<QCPItemLine *> &links() const { return links_; } // server's bar → pruned bar
    QCPItemStraightLine *threshold() const { return threshold_; }
    QCPItemText *ruleLabel() const { return rule_; }
    QSlider *fractionSlider() const { return slider_; }
    QSize sizeHint() const override { return {760, 460}; }

Q_SIGNALS:
    void fractionChanged(double p);

private:
    void rebuildBars();
    void updatePruning();
    double thresholdAt(size_t pruned) const;
    bool onThreshold(QPointF pixel) const;
    QString describe(size_t position) const;
    void onMouseMove(QMouseEvent *event);
    void colourContent(const QPalette &palette) override;

    QSlider *slider_;
    QLabel *prunedLabel_;
    QCPTextElement *title_;
    AdapterBars *bars_;
    QCPItemStraightLine *threshold_;
    QCPItemText *rule_;
    QCPItemText *hint_;
    std::vector<QCPItemLine *> links_;

    std::vector<AdapterScore> scores_;
    std::optional<AdapterSharing> sharing_;
    std::vector<int64_t> ranks_;
    std::vector<double> ascending_; // the scores sorted, for where the threshold goes
    std::vector<bool> pruned_;
    bool linksShown_ = false;
    double fraction_ = 0;
    bool dragging_ = false;
    QString hover_;
};

} // namespace sculpt
