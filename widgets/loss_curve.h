#pragma once
#include "compress/pass.h"
#include "plot_widget.h"

#include <vector>

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QLabel;

namespace sculpt {

// A trained pass's log, drawn as it grows: the objective and its KL part against the step
// (log y, left), the achieved ratio removed (right, 0–100 %) with the target as a dashed
// line, and where each stage begins. Fed one TrainingStep at a time while a pass runs, or a
// whole stored log.
class LossCurve : public PlotWidget {
    Q_OBJECT
public:
    explicit LossCurve(QWidget *parent = nullptr);

    // Empties the plot for a pass aiming at `targetRatio`; `note` shows while no step has come
    // (a pass that does not train says so here).
    void start(double targetRatio, const QString &note = {});
    void addStep(const TrainingStep &step);
    void showLog(const std::vector<TrainingStep> &log, double targetRatio, const QString &note = {});

    int pointCount() const; // steps drawn
    QCPGraph *lossGraph() const { return loss_; }
    QCPGraph *klGraph() const { return kl_; }
    QCPGraph *ratioGraph() const { return ratio_; }
    QString readout() const; // the line under the plot: the latest step
    QSize sizeHint() const override { return {600, 360}; }

private:
    void markStage(const TrainingStep &step);
    void rescale();
    void colourContent(const QPalette &palette) override;

    QLabel *readout_;
    QCPGraph *loss_, *kl_, *ratio_;
    QCPItemStraightLine *target_;
    QCPItemText *hint_;
    std::vector<QCPItemStraightLine *> stageLines_;
    std::vector<QCPItemText *> stageTags_;
    double targetRatio_ = 0;
    long steps_ = 0;
    int stage_ = 0;
};

} // namespace sculpt
