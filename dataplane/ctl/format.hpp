// fanoutctl's output: aligned tables for people, JSON (--json) for scripts.
#pragma once

#include <string>
#include <vector>

#include "schemas/dataplane_generated.h"

namespace fanout::dp::ctl {

// A reply or event as text; ends with a newline.
std::string format_envelope(const fanout::ipc::Envelope& envelope, bool json);

// Left-aligned columns separated by two spaces; rows are padded to the header's column count.
std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

}  // namespace fanout::dp::ctl
