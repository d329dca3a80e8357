#pragma once
#include "layout/panel_conditioning.h"

#include <QWidget>

#include <string>
#include <vector>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace sculpt {

class ConditioningGrid;

// What MangaDiffusion would be fed for the shown page, and its scripts to edit: one caption
// field per panel in reading order (the panel's text in the chosen language), the canvases
// of conditionPanels beside them, stepped through slot by slot. Editing a caption computes the
// conditioning again; a cleared caption turns its panel into padding, so the panel count
// follows the captions. The maximum count pads every page alike, as the model is trained.
class PanelConditioningView : public QWidget {
    Q_OBJECT
public:
    explicit PanelConditioningView(QWidget *parent = nullptr);

    // The page's panels in `order` (indices into page.panels), captioned by panelScripts in
    // the chosen language — kept when the page's texts carry it, else their first.
    void setPage(const Page &page, const std::vector<size_t> &order);
    void clear();

    const PanelConditioning &conditioning() const;
    std::vector<std::string> captions() const;
    // Why the captions cannot be fed (more captioned panels than the maximum), else empty.
    QString problem() const;

    QComboBox *language() const { return language_; }
    QSpinBox *maxPanels() const { return maxPanels_; }
    QLineEdit *caption(int panel) const { return captions_.at(size_t(panel)); }
    int captionCount() const { return int(captions_.size()); }
    ConditioningGrid *grid() const { return grid_; }
    QPushButton *previousButton() const { return previous_; }
    QPushButton *nextButton() const { return next_; }

private:
    void fillCaptions();
    void recompute();
    void showCurrent(int slot);

    Page page_;
    std::vector<size_t> order_;
    QComboBox *language_;
    QSpinBox *maxPanels_;
    QPushButton *previous_, *next_;
    QLabel *slot_, *problem_;
    QFormLayout *captionForm_;
    std::vector<QLineEdit *> captions_;
    ConditioningGrid *grid_;
};

} // namespace sculpt
