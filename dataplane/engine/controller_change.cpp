// Changes to a live transport that the control plane asks for after creating it: an ICE restart
// (new local credentials) and a plain transport's new remote. Both update the main lcore's model
// and dispatch tables at once and hand the worker its part in a command.
#include <algorithm>

#include "dataplane/engine/controller.hpp"

namespace fanout::dp {
namespace {

Status invalid(std::string why) {
  return Status::error(ErrorCode::kInvalidArgument, std::move(why));
}

Status transport_not_found(uint32_t id) {
  return Status::error(ErrorCode::kNotFound, "transport " + std::to_string(id) + " does not exist");
}

}  // namespace

Status Controller::set_ice_parameters(uint32_t id, const std::string& ufrag,
                                      const std::string& pwd) {
  TransportEntry* t = find_transport(id);
  if (!t) return transport_not_found(id);
  if (t->params.kind != TransportKind::kWebRtc) {
    return invalid("transport " + std::to_string(id) + " is a plain transport: it has no ICE");
  }
  if (Status s = check_ice_credentials(ufrag, pwd); !s.ok()) return s;
  auto owner = ufrags_.find(ufrag);
  if (owner != ufrags_.end() && owner->second != id) {
    return invalid("ice_ufrag '" + ufrag + "' is in use");
  }
  if (ufrag != t->params.ice_ufrag) {
    // The old ufrag stops routing now; checks with it are refused (RFC 8445 §9: after a restart
    // the old credentials are no longer valid). Until the worker applied the command, a check
    // with the new ufrag reaches it and is dropped as unknown: the browser retransmits.
    e_.tables.remove_ufrag(t->params.ice_ufrag);
    ufrags_.erase(t->params.ice_ufrag);
    ufrags_[ufrag] = id;
    if (t->attached) {
      Route route{t->obj->slot, t->obj->gen, t->obj->worker};
      if (!e_.tables.add_ufrag(ufrag, route)) {
        return Status::error(ErrorCode::kInternal, "the ufrag table refused '" + ufrag + "'");
      }
    }
  }
  t->params.ice_ufrag = ufrag;
  t->params.ice_pwd = pwd;
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kSetIce;
  cmd->transport = t->obj.get();
  cmd->ice_ufrag = ufrag;
  cmd->ice_pwd = pwd;
  cmd->ice_key.set_key(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size());
  send(t->obj->worker, std::move(cmd));
  return {};
}

Status Controller::set_plain_remote(uint32_t id, const std::optional<Endpoint>& remote,
                                    bool comedia) {
  TransportEntry* t = find_transport(id);
  if (!t) return transport_not_found(id);
  if (t->params.kind != TransportKind::kPlain) {
    return invalid("transport " + std::to_string(id) +
                   " is a WebRTC transport: its remote is chosen by ICE");
  }
  if (!remote && !comedia) return invalid("a plain transport needs a remote or comedia");
  std::optional<net::IpAddr> address;
  if (remote) {
    address = net::parse_addr(remote->address);
    if (!address || remote->port == 0) {
      return invalid("remote '" + remote->address + ":" + std::to_string(remote->port) +
                     "' is not an address and port");
    }
  }
  // Forget every tuple of the old remote: from now on its packets are unknown sources.
  for (const net::Tuple& tuple : t->tuples) e_.tables.remove_tuple(tuple);
  t->tuples.clear();
  t->selected.reset();
  t->plain_tuple = net::Tuple{};
  t->params.plain_remote = remote;
  t->params.comedia = comedia;
  if (address) {
    net::Tuple tuple{};
    tuple.local = t->obj->local_addr;  // immutable creation parameters: main may read them
    tuple.local_port = t->obj->local_port;
    tuple.remote = *address;
    tuple.remote_port = remote->port;
    t->plain_tuple = tuple;
    t->selected = tuple;
    // Before the attach completes, publish_routes() adds it.
    if (t->attached &&
        e_.tables.add_tuple(tuple, Route{t->obj->slot, t->obj->gen, t->obj->worker})) {
      t->tuples.push_back(tuple);
    }
  }
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kSetPlainRemote;
  cmd->transport = t->obj.get();
  cmd->tuple = t->plain_tuple;
  cmd->flag = comedia;
  send(t->obj->worker, std::move(cmd));
  return {};
}

}  // namespace fanout::dp
