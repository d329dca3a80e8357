#pragma once
// A path field with a "Browse…" button after it, as the dialogs ask for files and folders.

#include <QString>

#include <functional>

class QComboBox;
class QLineEdit;
class QWidget;

namespace sculpt {

// Asked with the field's text; returns the chosen path, or an empty string when cancelled.
using PathChooser = std::function<QString(const QString &current)>;

// The row holding `field` and its button. A chosen path replaces the field's text and ends
// the edit (editingFinished), as typing it would.
QWidget *withBrowseButton(QLineEdit *field, PathChooser choose);
// The same for an editable choice: a chosen path becomes its text.
QWidget *withBrowseButton(QComboBox *field, PathChooser choose);

// An existing file, the dialog opening in the folder of the current path.
PathChooser existingFile(QWidget *parent, const QString &caption, const QString &filter);

// Whether the field names an existing file (surrounding spaces ignored).
bool namesFile(const QLineEdit *field);

// MNIST-style sets name their pair alike (t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz):
// fills `labels` with the images' partner when it exists and `labels` names no file yet.
void guessLabels(const QLineEdit *images, QLineEdit *labels);

} // namespace sculpt
