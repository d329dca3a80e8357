#pragma once
#include "prediction_grid.h"
#include "records/adaptation_record.h"

#include <QWidget>

#include <cstdint>
#include <vector>

class QCPGraph;
class QCPItemStraightLine;
class QLabel;
class QTableWidget;

namespace sculpt {

class AdaptationCurve;

// The runs that fine-tuned the open model on an image task (adapt, heads, heat), one row each;
// the chosen run's training curve, and what its starting model and its result predict for the
// task's first test images. A run going on draws its curve here epoch by epoch. Shows what it
// is given; the window runs the models and reads the images.
class AdaptationView : public QWidget {
    Q_OBJECT
public:
    enum Column { Date, Command, Task, Method, Epochs, Trainable, Validation, Test, ColumnCount };
    using Side = PredictionGrid::Side;
    using enum PredictionGrid::Side;

    explicit AdaptationView(QWidget *parent = nullptr);

    // Replaces the rows, none chosen.
    void setRuns(std::vector<AdaptationRecord> runs);
    // Appends a row and chooses it, which shows it and emits runSelected.
    void addRun(const AdaptationRecord &run);
    void clear(); // another model opened
    int runCount() const { return int(runs_.size()); }
    const AdaptationRecord *selectedRun() const; // null when none is chosen

    // A run going on: its curve replaces the chosen run's (the choice is cleared), under
    // `title`, with room for `epochs`; maskedFrom > 0 marks "heads masked" after that epoch.
    // Choosing a run in the table ends the live curve: later epochs are not drawn, and the
    // run's record, once added, shows its whole curve.
    void startLive(const QString &title, int64_t epochs, int64_t maskedFrom = 0);
    void addEpoch(const AdaptationEpoch &epoch);

    void setTestImageSource(TestImages source);

    QTableWidget *runsTable() const { return table_; }
    QString hint() const; // shown while there are no runs
    int curvePointCount() const;
    QCPGraph *lossGraph() const;
    QCPGraph *accuracyGraph() const;
    QCPItemStraightLine *maskLine() const; // hidden when the curve has none
    QString curveTitle() const;
    int gridImageCount(Side side) const;
    int gridMistakes(Side side) const;
    QString gridHeader(Side side) const;
    QString gridNote() const; // why there is no grid, when there is none

Q_SIGNALS:
    // The user or addRun chose a run: a heads or heat run's scores can be shown elsewhere.
    void runSelected(const sculpt::AdaptationRecord &run);

private:
    void appendRow(const AdaptationRecord &run);
    void onSelectionChanged();
    void showRun(const AdaptationRecord &run);
    void showNothing();

    QLabel *hint_;
    QTableWidget *table_;
    AdaptationCurve *curve_;
    PredictionGrid *grid_;
    std::vector<AdaptationRecord> runs_; // in the table's row order
    bool live_ = false;
};

} // namespace sculpt
