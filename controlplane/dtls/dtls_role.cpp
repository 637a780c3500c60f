#include "controlplane/dtls/dtls_role.hpp"

namespace fanout::cp {

std::string_view dtls_role_name(DtlsRole role) {
  switch (role) {
    case DtlsRole::kAuto:
      return "auto";
    case DtlsRole::kClient:
      return "client";
    case DtlsRole::kServer:
      return "server";
  }
  return "auto";
}

std::optional<DtlsRole> parse_dtls_role(std::string_view name) {
  if (name == "auto") return DtlsRole::kAuto;
  if (name == "client") return DtlsRole::kClient;
  if (name == "server") return DtlsRole::kServer;
  return std::nullopt;
}

std::optional<DtlsRole> resolve_dtls_role(DtlsRole local, DtlsRole remote) {
  if (local != DtlsRole::kAuto) {
    if (local == remote) return std::nullopt;
    return local;
  }
  return remote == DtlsRole::kClient ? DtlsRole::kServer : DtlsRole::kClient;
}

}  // namespace fanout::cp
