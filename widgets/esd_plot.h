#pragma once
#include "analysis/spectrum.h"
#include "esd_histogram.h"
#include "plot_widget.h"

#include <vector>

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QComboBox;
class QLabel;
class QMouseEvent;

namespace sculpt {

// The empirical spectral density of one matrix: the histogram of λ = σ² on log–log axes
// with the power law p(λ) ∝ λ^(−α) fitted above x_min drawn over it, scaled to the tail's
// share of the eigenvalues, and what the fit says (α, x_min, KS distance, tail size).
class EsdPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit EsdPlot(QWidget *parent = nullptr);

    // The matrices to choose from and the one shown (an index into `spectra`).
    void setSpectra(std::vector<TensorSpectrum> spectra, int current);
    void setCurrent(int index);
    int current() const { return current_; }

    const EsdHistogram &histogram() const { return histogram_; }
    QCPGraph *histogramGraph() const { return histogramGraph_; }
    QCPGraph *powerLawGraph() const { return powerLawGraph_; } // empty without a fit
    QString fitText() const;                                   // the readout under the plot
    QString hoverText() const { return hover_; }               // the bin under the mouse
    QSize sizeHint() const override { return {700, 500}; }

Q_SIGNALS:
    void currentChanged(int index); // the user chose another matrix

private:
    void rebuild();
    void rescale();
    void showHover(const QString &text);
    void onMouseMove(QMouseEvent *event);
    void colourContent(const QPalette &palette) override;

    QComboBox *choice_;
    QLabel *fitLabel_;
    QLabel *infoLabel_; // the bin under the mouse, else how to read the plot
    QCPGraph *histogramGraph_;
    QCPGraph *powerLawGraph_;
    QCPItemStraightLine *xminLine_;
    QCPItemText *xminTag_;
    QCPItemText *hint_;

    std::vector<TensorSpectrum> spectra_;
    int current_ = -1;
    EsdHistogram histogram_;
    QString hover_, idle_;
};

} // namespace sculpt
