#pragma once
#include "analysis/spectrum.h"
#include "records/pass_record.h"
#include "plot_widget.h"
#include "rank_cursor.h"

#include <optional>
#include <vector>

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPItemTracer;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMouseEvent;
class QSpinBox;

namespace sculpt {

// What a compression pass did to one matrix, drawn over its spectrum: σ of the matrix the pass
// truncated — W itself, or a weighted one such as W·S, labelled so — with each component
// marked kept (filled) or pruned (hollow), and SoCo's learned gains g(s) on a second axis.
struct PassOverlay {
    QString pass;   // "soco 40.0 %"
    QString matrix; // "W·S"; empty when the pass does not say
    CompressedLayer layer;

    bool kept(size_t i) const; // by gain when there are gains, else the top `rank` in σ order
};

// σ_i against i for several matrices at once, in four views, with a rank cursor: a line
// the user drags (or a rank, or a target compression ratio, typed in) that says what
// truncating one of the matrices to rank k keeps and saves. The break-even rank, where the
// two factors stop saving anything, is the dashed line.
class SpectrumPlot : public PlotWidget {
    Q_OBJECT
public:
    enum class View { LogY, LogLog, Normalised, Energy };

    explicit SpectrumPlot(QWidget *parent = nullptr);

    // Overlays these spectra in order. `missing` names selected tensors without a spectrum
    // yet, for the hint. The zoom is kept when the same tensors are shown again.
    void setSpectra(std::vector<TensorSpectrum> spectra, const QStringList &missing = {});
    const std::vector<TensorSpectrum> &spectra() const { return spectra_; }

    void setView(View view);
    View view() const { return view_; }

    // Which of spectra() the rank cursor measures.
    void setCursorSpectrum(int index);
    int cursorSpectrum() const { return cursorIndex_; }
    void setRank(long rank);
    // A fraction (0.5 keeps half the parameters): the cursor moves to the largest rank
    // that saves at least this much. Kept when the cursor moves to another matrix.
    void setTargetRatio(double ratio);
    double targetRatio() const { return targetRatio_; }
    const RankCut &cut() const { return cut_; }
    QString cutText() const;   // the readout under the plot
    QString hoverText() const { return hover_; } // the point under the mouse

    // Draws `overlay` over the spectra (not in the energy view), or nothing.
    void setPassOverlay(std::optional<PassOverlay> overlay);
    const std::optional<PassOverlay> &passOverlay() const { return overlay_; }
    // The overlay's graphs, null without one: σ of kept and of pruned components (scatter),
    // and the gains (right axis, null for a pass without).
    QCPGraph *keptGraph() const { return kept_; }
    QCPGraph *prunedGraph() const { return pruned_; }
    QCPGraph *gainsGraph() const { return gains_; }
    QCPItemText *passRankTag() const { return passRankTag_; } // a uniform pass's kept rank

    QSize sizeHint() const override { return {700, 500}; }

Q_SIGNALS:
    // The cursor moved, changed matrix, or the target ratio changed.
    void cursorChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void rebuild(bool rescale);
    void addOverlay();
    QString overlayHover(size_t i) const;
    void rescale();
    void updateCursor();
    void updateHint();
    void showHover(const QString &text);
    void colourContent(const QPalette &palette) override;
    void onMouseMove(QMouseEvent *event);
    void onMousePress(QMouseEvent *event);
    void onMouseRelease(QMouseEvent *event);
    bool nearCursor(double pixelX) const;
    std::vector<double> values(const TensorSpectrum &spectrum) const; // y for the view

    QComboBox *viewChoice_;
    QComboBox *cursorChoice_;
    QLabel *cursorChoiceLabel_;
    QSpinBox *rankBox_;
    QDoubleSpinBox *ratioBox_;
    QLabel *cutLabel_;
    QLabel *infoLabel_; // the point under the mouse, else hints
    QCPItemStraightLine *cursorLine_;
    QCPItemText *cursorTag_;
    QCPItemStraightLine *breakevenLine_;
    QCPItemText *breakevenTag_;
    QCPItemTracer *tracer_;
    QCPItemText *hint_;
    QCPItemStraightLine *passRankLine_;
    QCPItemText *passRankTag_;

    std::vector<TensorSpectrum> spectra_;
    std::optional<PassOverlay> overlay_;
    QCPGraph *overlayLine_ = nullptr, *kept_ = nullptr, *pruned_ = nullptr, *gains_ = nullptr;
    QStringList missing_;
    QString hover_, idle_;
    View view_ = View::LogY;
    int cursorIndex_ = 0;
    double targetRatio_ = 0.5;
    RankCut cut_;
    bool dragging_ = false;
};

} // namespace sculpt
