#pragma once
#include "model_chooser.h"

#include <QImage>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace sculpt {

// The Vision-language tab: images and a prompt put to the open model and up to two others
// side by side. Above, what to ask (image sources, the prompt, how many images, how many
// tokens per answer) and which models; below, one row per image — its thumbnail with its
// reference answer or captions — and one column per model whose answers grow as they are
// generated, each with its decoder GFLOPs and seconds, wrong ones marked; per-column totals
// at the foot. Shows what it is given; the window runs the models.
class VisionLanguageView : public QWidget {
    Q_OBJECT
public:
    // How many models besides the open one a run may compare.
    static constexpr int kExtraColumns = 2;
    // What an answer's item keeps besides the text it shows: the answer alone, 1/0/−1 for
    // right, wrong and not scored, the decoder's GFLOPs and the seconds.
    enum Role { AnswerRole = Qt::UserRole, CorrectRole, GflopsRole, SecondsRole };

    explicit VisionLanguageView(QWidget *parent = nullptr);

    // The open model (empty: none) and whether it reads images; `note` says why not.
    void setOpenModel(const QString &name, bool readsImages, const QString &note);
    // The models the extra columns may choose besides a folder: a name and a key the window
    // knows them by. A column keeps its choice while it is still offered.
    using Choice = ModelChooser::Choice;
    void setChoices(const std::vector<Choice> &choices);
    // Offers a model folder in column `column` (0 or 1) and chooses it; Browse does this.
    void chooseFolder(int column, const QString &folder);
    // The keys the extra columns chose (a folder's key is its path), none left out.
    QStringList chosenKeys() const;
    QStringList sources() const; // the Images field's paths, split at ';'

    // A run's layout: its models' names and its images, answers empty.
    struct Row {
        QImage thumbnail;
        QString reference; // the reference answer, or the captions one per line; empty: none
        bool scored = false; // the reference is an answer wrong ones are marked against
        QString question;  // its own question; empty: the prompt's
    };
    void startRun(const QStringList &models, const std::vector<Row> &rows, const QString &caption);
    void setGrowing(int row, int model, const QString &text); // an answer as it is generated
    // correct: 1, 0 (marked wrong) or −1 (nothing to score by); gflops NaN when not counted.
    void setAnswer(int row, int model, const QString &text, double gflops, double seconds, int correct);
    // accuracy NaN when nothing was scored.
    void setTotals(int model, double accuracy, double gflops, double seconds);
    void setBusy(bool busy); // a run goes on: Run waits

    QLineEdit *images() const { return images_; }
    QLineEdit *prompt() const { return prompt_; }
    QSpinBox *count() const { return count_; }
    QSpinBox *maxTokens() const { return maxTokens_; }
    QComboBox *column(int i) const { return columns_[i]->combo(); }
    QPushButton *runButton() const { return run_; }
    QTableWidget *answers() const { return answers_; }
    QTableWidget *totals() const { return totals_; }
    QString caption() const;
    QString note() const; // why nothing can run, when that is so

Q_SIGNALS:
    void runRequested();

private:
    void updateButtons();

    QLabel *note_, *caption_;
    QLineEdit *images_, *prompt_;
    QSpinBox *count_, *maxTokens_;
    QLabel *openModel_;
    ModelChooser *columns_[kExtraColumns];
    QPushButton *run_;
    QTableWidget *answers_, *totals_;
    bool readsImages_ = false, busy_ = false;
};

} // namespace sculpt
