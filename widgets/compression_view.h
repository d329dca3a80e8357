#pragma once
#include "records/pass_record.h"

#include <QWidget>
#include <vector>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace sculpt {

class LossCurve;

// The compression passes of the open model: the list of results (stored and just run,
// newest first, with the running one on top while it runs) and, for the chosen one, its
// loss curve and what it achieved, with the buttons to export it and to compare it with
// the original. Shows what it is given; the window runs the passes.
class CompressionView : public QWidget {
    Q_OBJECT
public:
    enum Column { Method, Target, Achieved, Parameters, Seconds, Exported, ColumnCount };

    explicit CompressionView(QWidget *parent = nullptr);

    // The finished passes, oldest first as the workspace keeps them. The choice stays on the
    // same record when it is still there.
    void setRecords(std::vector<PassRecord> records);
    const std::vector<PassRecord> &records() const { return records_; }
    // An index into records(), or -1 for none (or the running pass).
    int current() const;
    void setCurrent(int index);

    // The running pass: its row, chosen, with a curve that grows with each step.
    void startLive(const QString &method, double targetRatio);
    void addLiveStep(const TrainingStep &step);
    void endLive(); // it finished or stopped: the row goes (a finished pass comes back as a record)
    bool isLive() const { return live_; }

    void setExportEnabled(bool enabled);
    void setCompareEnabled(bool enabled);

    LossCurve *lossCurve() const { return curve_; }
    QTreeWidget *list() const { return list_; }
    QPushButton *exportButton() const { return export_; }
    QPushButton *compareButton() const { return compare_; }
    QString summaryText() const; // what the label under the curve says, as plain text

    // "svd-llm 40.0 %": how a pass is named in titles and menus.
    static QString passName(const PassRecord &record);

Q_SIGNALS:
    void currentChanged(int index);
    void exportRequested();
    void compareRequested();

private:
    void rebuildList(int select);
    void showCurrent();
    QString describe(const PassRecord &record) const;

    QTreeWidget *list_;
    LossCurve *curve_;
    QLabel *summary_;
    QPushButton *export_, *compare_;
    std::vector<PassRecord> records_;
    bool live_ = false;
    QString liveMethod_;
    double liveTarget_ = 0;
    std::vector<TrainingStep> liveLog_;
};

} // namespace sculpt
