#pragma once
#include "plot_widget.h"
#include "records/adaptation_record.h"

#include <cstdint>

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPTextElement;

namespace sculpt {

// A fine-tuning run's training loss (left) and validation accuracy (right, 0–100 %) against
// the epoch, fed one epoch at a time while the run goes or from its stored curve. heat trains
// on with the weakest heads masked and numbers those epochs on, so one curve shows both
// trainings, parted by a dashed line.
class AdaptationCurve : public PlotWidget {
    Q_OBJECT
public:
    explicit AdaptationCurve(QWidget *parent = nullptr);

    // Empties the plot under `title`, its x axis making room for `epochs` (later epochs widen
    // it); `maskedFrom` > 0 draws the "heads masked" line after that epoch. `note` shows while
    // no epoch has come.
    void start(const QString &title, int64_t epochs, int64_t maskedFrom = 0, const QString &note = {});
    void addEpoch(const AdaptationEpoch &epoch);

    int pointCount() const;
    QCPGraph *lossGraph() const { return loss_; }
    QCPGraph *accuracyGraph() const { return accuracy_; }
    QCPItemStraightLine *maskLine() const { return maskLine_; } // hidden when the curve has none
    QString title() const;
    QSize sizeHint() const override { return {520, 340}; }

private:
    void rescale();
    void colourContent(const QPalette &palette) override;

    QCPTextElement *title_;
    QCPGraph *loss_, *accuracy_;
    QCPItemStraightLine *maskLine_;
    QCPItemText *maskTag_, *hint_;
    int64_t epochs_ = 0;
};

} // namespace sculpt
