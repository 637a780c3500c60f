// Why a request on the object model failed, in the categories the signaling API reports
// (schemas/controlplane.fbs ErrorCode). Thrown on the control path and caught once, at the API
// boundary (controlplane/service), as mediasoup's worker does; RtpError from controlplane/rtp
// travels alongside it.
#pragma once

#include <stdexcept>
#include <string>

namespace fanout::cp {

class CpError : public std::runtime_error {
 public:
  enum class Code { kNotFound, kAlreadyExists, kInvalidArgument, kUnsupported, kDataplane };
  CpError(Code code, const std::string& what) : std::runtime_error(what), code_(code) {}
  Code code() const { return code_; }

 private:
  Code code_;
};

}  // namespace fanout::cp
