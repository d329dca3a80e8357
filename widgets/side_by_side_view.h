#pragma once
#include "records/pass_record.h"

#include <QImage>
#include <QWidget>

#include <vector>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableWidget;

namespace sculpt {

// The original model and one pass's compressed model side by side: parameters, the weights'
// file sizes, every layer's rank, and what each model does with the same data — for a language
// model perplexity on a chosen text and what each generates from the same prompt and seed; for
// a vision model accuracy on the same images and a grid of them with both models' predictions,
// the images they disagree on marked. Shows what it is given; the window runs the models.
class SideBySideView : public QWidget {
    Q_OBJECT
public:
    enum Fact { Parameters, Removed, WeightsFile, Measured, FactCount };
    enum Side { Original, Compressed };
    enum RankColumn { Layer, Shape, Rank, FullRank, Storage, RankColumnCount };

    explicit SideBySideView(QWidget *parent = nullptr);

    // What to compare: the open model's name and weights' size (negative: unknown), the pass
    // (null for none) and whether its compressed model can run (in memory or exported).
    void showPass(const QString &originalName, qint64 originalBytes, const PassRecord *record, bool runnable);
    void setGenerations(const QString &original, const QString &compressed);
    // One image of the grid: its pixels, its label and the two models' classes, named.
    struct Prediction {
        QImage image;
        QString label, original, compressed;
    };
    void setPredictions(const std::vector<Prediction> &predictions);
    void setBusy(bool busy); // a measurement runs: the buttons wait

    QString factText(Fact fact, Side side) const;
    QTableWidget *facts() const { return facts_; }
    QTableWidget *ranks() const { return ranks_; }
    QLineEdit *textFile() const { return text_; }
    QSpinBox *documents() const { return documents_; }
    QPushButton *measureButton() const { return measure_; }
    QLineEdit *prompt() const { return prompt_; }
    QSpinBox *seed() const { return seed_; }
    QDoubleSpinBox *temperature() const { return temperature_; }
    QSpinBox *maxTokens() const { return maxTokens_; }
    QPushButton *generateButton() const { return generate_; }
    QPlainTextEdit *generation(Side side) const { return side == Original ? originalText_ : compressedText_; }
    QLineEdit *imagesFile() const { return images_; } // a vision model's
    QLineEdit *labelsFile() const { return labels_; }
    QSpinBox *imageCount() const { return imageCount_; }
    QPushButton *accuracyButton() const { return accuracy_; }
    QListWidget *predictions() const { return predictions_; }
    QString note() const; // why nothing can be measured, when that is so

Q_SIGNALS:
    void measureRequested();
    void generateRequested();
    void accuracyRequested();

private:
    void setFact(Fact fact, Side side, const QString &text, const QString &tip = {});
    void updateButtons();

    QLabel *title_, *note_;
    QTableWidget *facts_, *ranks_;
    QLineEdit *text_, *prompt_, *images_, *labels_;
    QSpinBox *documents_, *seed_, *maxTokens_, *imageCount_;
    QDoubleSpinBox *temperature_;
    QPushButton *measure_, *generate_, *accuracy_;
    QPlainTextEdit *originalText_, *compressedText_;
    QListWidget *predictions_;
    QStackedWidget *measurement_, *outputs_; // page 0 for language models, 1 for vision models
    QString shownPass_; // the id and date of the pass shown
    bool runnable_ = false, busy_ = false;
};

} // namespace sculpt
