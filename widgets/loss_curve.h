#pragma once
#include "plot_widget.h"
#include "records/pass_record.h"

#include <string>
#include <utility>
#include <vector>

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QLabel;

namespace sculpt {

// A trained pass's log, drawn as it grows: each value the pass logs against the step (log y,
// left) — "loss" is its whole objective — but for "ratio", the achieved ratio removed (right,
// 0–100 %) with the target as a dashed line; and where each stage begins. Fed one
// TrainingStep at a time while a pass runs, or a whole stored log.
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
    // The graph of a logged value ("loss", "kl", "ratio"…), or null before it was logged.
    QCPGraph *graph(const std::string &value) const;
    QString readout() const; // the line under the plot: the latest step
    QSize sizeHint() const override { return {600, 360}; }

private:
    void markStage(const TrainingStep &step);
    QCPGraph *graphFor(const std::string &value);
    void rescale();
    void colourContent(const QPalette &palette) override;

    QLabel *readout_;
    QCPGraph *ratio_;
    std::vector<std::pair<std::string, QCPGraph *>> values_; // the others, in the order logged
    QCPItemStraightLine *target_;
    QCPItemText *hint_;
    std::vector<QCPItemStraightLine *> stageLines_;
    std::vector<QCPItemText *> stageTags_;
    double targetRatio_ = 0;
    long steps_ = 0;
    std::string stage_;
};

} // namespace sculpt
