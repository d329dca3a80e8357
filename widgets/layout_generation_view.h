#pragma once
#include "layout/page.h"
#include "model_chooser.h"

#include <QWidget>

#include <cstdint>
#include <vector>

class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QScrollArea;
class QSpinBox;

namespace sculpt {

class LayoutPageView;

// The Layouts tab's Generate page: what to ask for (panel count, the first seed and how many,
// denoising steps, the page's aspect), which layout model and which compressed one; below, one
// row of generated layouts per model, the same seed in the same column, and a row of real
// pages of the open file with as many panels. Shows what it is given; the window runs the
// models.
class LayoutGenerationView : public QWidget {
    Q_OBJECT
public:
    explicit LayoutGenerationView(QWidget *parent = nullptr);

    // The models the two choosers offer besides a folder: the open layout model (first) and
    // the open model's passes whose compressed model can run (second).
    void setChoices(const std::vector<ModelChooser::Choice> &models, const std::vector<ModelChooser::Choice> &compressed);
    ModelChooser *model() const { return model_; }
    ModelChooser *compressed() const { return compressed_; }
    std::vector<uint64_t> seeds() const; // first seed, first seed + 1, …

    // A run's layout: a row per model (its layouts blank until set), the real pages below.
    void startRun(const QStringList &models, const std::vector<uint64_t> &seeds, const std::vector<Page> &realPages,
                  const QString &caption);
    void setLayout(int model, int seed, const Page &page, double seconds);
    void setBusy(bool busy);
    QString caption() const;

    // Rows: the models in the order given, then the real pages; columns: the seeds.
    int rowCount() const { return int(rows_.size()); }
    QString rowName(int row) const;
    LayoutPageView *cell(int row, int column) const;

    QSpinBox *panels() const { return panels_; }
    QSpinBox *firstSeed() const { return firstSeed_; }
    QSpinBox *seedCount() const { return seedCount_; }
    QSpinBox *steps() const { return steps_; }
    QDoubleSpinBox *aspect() const { return aspect_; }
    QPushButton *generateButton() const { return generate_; }

Q_SIGNALS:
    void generateRequested();

private:
    struct Row {
        QLabel *name;
        std::vector<LayoutPageView *> cells;
        std::vector<QLabel *> notes; // under each cell: its seed and seconds, or the page's name
    };
    Row &addRow(const QString &name, size_t cells);
    void updateButton();

    QSpinBox *panels_, *firstSeed_, *seedCount_, *steps_;
    QDoubleSpinBox *aspect_;
    ModelChooser *model_, *compressed_;
    QPushButton *generate_;
    QLabel *caption_;
    QScrollArea *scroll_;
    QGridLayout *grid_ = nullptr;
    std::vector<Row> rows_;
    bool busy_ = false;
};

} // namespace sculpt
