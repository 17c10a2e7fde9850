// `nnlat help-options`: the reference of every option struct declared with
// nnlat/core/options.hpp, as markdown. docs/options.md is exactly this text (a test checks it),
// so the docs cannot drift from the declarations.
#pragma once

#include <string>

namespace nnlat::app {

std::string options_reference_markdown();

}  // namespace nnlat::app
