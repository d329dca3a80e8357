#pragma once
#include <QString>

namespace sculpt {

// The bundled demo (resources/models, trained by `sculpt-cli zoo`), opened when the window
// starts without a path: installed beside the program's data, else in the source tree it
// was built from. Empty when neither exists.
QString demoModelPath();

} // namespace sculpt
