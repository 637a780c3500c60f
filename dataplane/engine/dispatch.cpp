#include "dataplane/engine/dispatch.hpp"

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include <cstring>

namespace fanout::dp {
namespace {

rte_hash* make_hash(const std::string& name, uint32_t entries, uint32_t key_len, rte_rcu_qsbr* rcu,
                    std::string* error) {
  rte_hash_parameters p{};
  p.name = name.c_str();
  p.entries = entries < 64 ? 64 : entries;
  p.key_len = key_len;
  p.hash_func = rte_hash_crc;
  p.socket_id = static_cast<int>(rte_socket_id());
  // One writer (main lcore), lock-free readers on every worker.
  p.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
  rte_hash* h = rte_hash_create(&p);
  if (!h) {
    *error = "rte_hash_create(" + name + "): " + rte_strerror(rte_errno);
    return nullptr;
  }
  if (rcu) {
    rte_hash_rcu_config c{};
    c.v = rcu;
    c.mode = RTE_HASH_QSBR_MODE_DQ;
    if (rte_hash_rcu_qsbr_add(h, &c) != 0) {
      *error = "rte_hash_rcu_qsbr_add(" + name + "): " + rte_strerror(rte_errno);
      rte_hash_free(h);
      return nullptr;
    }
  }
  return h;
}

}  // namespace

DispatchTables::~DispatchTables() {
  if (tuples_) rte_hash_free(tuples_);
  if (ufrags_) rte_hash_free(ufrags_);
  rte_free(by_udp_port_);
}

bool DispatchTables::init(const std::string& name, uint32_t max_transports, uint16_t ports,
                          rte_rcu_qsbr* rcu, std::string* error) {
  // Up to kMaxValidatedTuples per transport, with room for the cuckoo hash to stay fast.
  tuples_ = make_hash(name + "_tuples", max_transports * kMaxValidatedTuples * 2,
                      sizeof(net::Tuple), rcu, error);
  if (!tuples_) return false;
  ufrags_ = make_hash(name + "_ufrags", max_transports * 2, sizeof(UfragKey), rcu, error);
  if (!ufrags_) return false;
  ports_ = ports;
  by_udp_port_ = static_cast<std::atomic<uint64_t>(*)[65536]>(
      rte_zmalloc("port_routes", sizeof(std::atomic<uint64_t>) * 65536 * ports, 64));
  if (!by_udp_port_) {
    *error = "rte_zmalloc(port_routes): out of memory";
    return false;
  }
  return true;
}

bool DispatchTables::make_ufrag_key(std::string_view ufrag, UfragKey* key) {
  std::memset(key, 0, sizeof(*key));
  if (ufrag.empty() || ufrag.size() > kMaxUfragLen) return false;
  std::memcpy(key->text, ufrag.data(), ufrag.size());
  return true;
}

Route DispatchTables::by_ufrag(std::string_view ufrag) const {
  UfragKey key;
  if (!make_ufrag_key(ufrag, &key)) return Route{};
  void* data = nullptr;
  if (rte_hash_lookup_data(ufrags_, &key, &data) < 0) return Route{};
  return Route::unpack(reinterpret_cast<uintptr_t>(data));
}

bool DispatchTables::add_tuple(const net::Tuple& t, Route r) {
  return rte_hash_add_key_data(tuples_, &t, reinterpret_cast<void*>(r.pack())) == 0;
}

void DispatchTables::remove_tuple(const net::Tuple& t) {
  rte_hash_del_key(tuples_, &t);
}

bool DispatchTables::add_ufrag(std::string_view ufrag, Route r) {
  UfragKey key;
  if (!make_ufrag_key(ufrag, &key)) return false;
  return rte_hash_add_key_data(ufrags_, &key, reinterpret_cast<void*>(r.pack())) == 0;
}

void DispatchTables::remove_ufrag(std::string_view ufrag) {
  UfragKey key;
  if (make_ufrag_key(ufrag, &key)) rte_hash_del_key(ufrags_, &key);
}

}  // namespace fanout::dp
