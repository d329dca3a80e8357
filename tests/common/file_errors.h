#pragma once
// What a reader's refusal says: the FileError line `work` throws, empty when it throws
// nothing, and "not a FileError: …" for any other exception (a bug in the reader).

#include "io/error.h"

#include <QString>

#include <exception>
#include <functional>

namespace sculpt::test {

inline QString fileError(const std::function<void()> &work)
{
    try {
        work();
    } catch (const FileError &e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception &e) {
        return "not a FileError: " + QString::fromStdString(e.what());
    }
    return {};
}

} // namespace sculpt::test
