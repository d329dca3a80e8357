#pragma once
// Sculpt's own shared modules (the SentencePiece reader and trainer): found in
// <prefix>/lib/sculpt beside the running executable's <prefix>/bin, else where CMake built
// them; loaded once, with a symbol scope of their own (RTLD_LOCAL | RTLD_DEEPBIND, see
// sentencepiece_module.h), and never closed: what they made may live until the process ends.

#include <string>

namespace sculpt {

// `symbol` from the module `file` (`builtAt`: its path in the build tree), or null with
// `why` set; `purpose` completes "<file>, which <purpose>, is not installed".
void *ownModuleSymbol(const std::string &file, const std::string &builtAt, const std::string &symbol,
                      const std::string &purpose, std::string &why);

} // namespace sculpt
