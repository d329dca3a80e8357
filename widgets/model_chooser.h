#pragma once
#include <QString>
#include <QWidget>

#include <vector>

class QComboBox;
class QPushButton;

namespace sculpt {

// Which model a column of a comparison runs: one of the models the window offers (the open
// one, a pass whose compressed model is in memory or exported) or a model folder the user
// browses to. A folder chosen stays offered when the window's offer changes.
class ModelChooser : public QWidget {
    Q_OBJECT
public:
    struct Choice {
        QString name, key;
    };

    // `none`: the entry for no model ("—"); empty: a model must be chosen.
    explicit ModelChooser(const QString &none, const QString &folderTitle, QWidget *parent = nullptr);

    // The choice is kept while it is still offered.
    void setChoices(const std::vector<Choice> &choices);
    // Offers a model folder and chooses it; Folder… does this.
    void chooseFolder(const QString &folder);
    QString chosenKey() const; // a folder's key is its path; empty for none
    QString chosenName() const;

    QComboBox *combo() const { return combo_; }
    QPushButton *browseButton() const { return browse_; }

Q_SIGNALS:
    void chosen();

private:
    QComboBox *combo_;
    QPushButton *browse_;
    QString none_;
};

} // namespace sculpt
