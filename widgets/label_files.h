#pragma once
#include <QString>

namespace sculpt {

// MNIST-style sets name their labels after their images (t10k-images-idx3-ubyte.gz,
// t10k-labels-idx1-ubyte.gz): that file when it exists beside `images`, else an empty string.
QString labelsBeside(const QString &images);

} // namespace sculpt
