#include "dataplane/ctl/args.hpp"

#include <charconv>
#include <limits>
#include <memory>
#include <stdexcept>

namespace fanout::dp::ctl {

namespace fi = fanout::ipc;

namespace {

// Thrown inside parse_args only and turned into ParseResult::error (slow path).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename T>
T parse_number(const std::string& text, const std::string& what) {
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() ||
      value > std::numeric_limits<T>::max()) {
    throw UsageError(what + " must be a number up to " +
                     std::to_string(std::numeric_limits<T>::max()) + ", got '" + text + "'");
  }
  return static_cast<T>(value);
}

uint32_t parse_id(const std::string& text, const std::string& what) {
  auto id = parse_number<uint32_t>(text, what);
  if (id == 0) throw UsageError(what + " must not be 0");
  return id;
}

// "ADDRESS:PORT" or "[IPV6]:PORT".
std::unique_ptr<fi::EndpointT> parse_endpoint(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw UsageError("endpoint must be ADDRESS:PORT, got '" + text + "'");
  }
  auto endpoint = std::make_unique<fi::EndpointT>();
  endpoint->address = text.substr(0, colon);
  if (endpoint->address.size() > 2 && endpoint->address.front() == '[' &&
      endpoint->address.back() == ']') {
    endpoint->address = endpoint->address.substr(1, endpoint->address.size() - 2);
  }
  endpoint->port = parse_number<uint16_t>(text.substr(colon + 1), "endpoint port");
  return endpoint;
}

// "ssrc=1111,rtx=1112,pt=96,rtx-pt=97,clock=90000,rid=h"
std::unique_ptr<fi::ProducerStreamT> parse_stream(const std::string& text) {
  auto stream = std::make_unique<fi::ProducerStreamT>();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    start = end + 1;
    auto eq = item.find('=');
    if (eq == std::string::npos) throw UsageError("--stream item '" + item + "' is not key=value");
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "ssrc") {
      stream->ssrc = parse_number<uint32_t>(value, "ssrc");
    } else if (key == "rtx") {
      stream->rtx_ssrc = parse_number<uint32_t>(value, "rtx");
    } else if (key == "pt") {
      stream->payload_type = parse_number<uint8_t>(value, "pt");
    } else if (key == "rtx-pt") {
      stream->rtx_payload_type = parse_number<uint8_t>(value, "rtx-pt");
    } else if (key == "clock") {
      stream->clock_rate = parse_number<uint32_t>(value, "clock");
    } else if (key == "rid") {
      stream->rid = value;
    } else {
      throw UsageError("unknown --stream key '" + key + "' (ssrc, rtx, pt, rtx-pt, clock, rid)");
    }
  }
  if (stream->ssrc == 0) throw UsageError("--stream needs ssrc=N");
  return stream;
}

// Walks "--flag value" pairs after the verb.
class Flags {
 public:
  Flags(const std::vector<std::string>& args, size_t first) : args_(args), i_(first) {}
  bool next(std::string& flag) {
    if (i_ >= args_.size()) return false;
    flag = args_[i_++];
    return true;
  }
  const std::string& value(const std::string& flag) {
    if (i_ >= args_.size()) throw UsageError(flag + " needs a value");
    return args_[i_++];
  }

 private:
  const std::vector<std::string>& args_;
  size_t i_;
};

const std::string& positional(const std::vector<std::string>& args, size_t i,
                              const std::string& what) {
  if (i >= args.size()) throw UsageError("missing " + what);
  return args[i];
}

void no_more(const std::vector<std::string>& args, size_t i) {
  if (i < args.size()) throw UsageError("unexpected argument '" + args[i] + "'");
}

template <typename T>
fi::BodyUnion body_of(T&& value) {
  fi::BodyUnion body;
  body.Set(std::forward<T>(value));
  return body;
}

void parse_verb(const std::vector<std::string>& args, size_t i, CtlCommand& cmd) {
  const std::string verb = positional(args, i++, "command (try --help)");
  cmd.verb = Verb::kRequest;
  std::string flag;
  if (verb == "hello") {
    cmd.verb = Verb::kHello;
    no_more(args, i);
  } else if (verb == "transports" || verb == "producers" || verb == "consumers" || verb == "dump") {
    no_more(args, i);
    if (verb == "transports") cmd.request = body_of(fi::ListTransportsT{});
    if (verb == "producers") cmd.request = body_of(fi::ListProducersT{});
    if (verb == "consumers") cmd.request = body_of(fi::ListConsumersT{});
    if (verb == "dump") cmd.request = body_of(fi::DumpT{});
  } else if (verb == "counters") {
    fi::GetCountersT req;
    Flags flags(args, i);
    while (flags.next(flag)) {
      if (flag == "--transport") {
        req.transport = parse_id(flags.value(flag), flag);
      } else if (flag == "--producer") {
        req.producer = parse_id(flags.value(flag), flag);
      } else if (flag == "--consumer") {
        req.consumer = parse_id(flags.value(flag), flag);
      } else if (flag == "--media") {
        req.all_media = true;
      } else {
        throw UsageError("counters: unknown option " + flag);
      }
    }
    if ((req.transport != 0) + (req.producer != 0) + (req.consumer != 0) + req.all_media > 1)
      throw UsageError("counters takes one of --transport, --producer, --consumer, --media");
    cmd.request = body_of(std::move(req));
  } else if (verb == "create-transport") {
    fi::CreateTransportT req;
    Flags flags(args, i);
    while (flags.next(flag)) {
      if (flag == "--id") {
        req.id = parse_id(flags.value(flag), flag);
      } else if (flag == "--worker") {
        req.worker = parse_number<uint16_t>(flags.value(flag), flag);
      } else if (flag == "--port") {
        req.port = parse_number<uint16_t>(flags.value(flag), flag);
      } else if (flag == "--local-port") {
        req.local_port = parse_number<uint16_t>(flags.value(flag), flag);
      } else if (flag == "--ufrag") {
        req.ice_ufrag = flags.value(flag);
      } else if (flag == "--pwd") {
        req.ice_pwd = flags.value(flag);
      } else if (flag == "--plain") {
        req.kind = fi::TransportKind::Plain;
      } else if (flag == "--remote") {
        req.kind = fi::TransportKind::Plain;
        req.plain_remote = parse_endpoint(flags.value(flag));
      } else if (flag == "--comedia") {
        req.kind = fi::TransportKind::Plain;
        req.comedia = true;
      } else {
        throw UsageError("create-transport: unknown option " + flag);
      }
    }
    if (req.id == 0) throw UsageError("create-transport needs --id");
    if (req.kind == fi::TransportKind::WebRtc && (req.ice_ufrag.empty() || req.ice_pwd.empty())) {
      throw UsageError("create-transport: a WebRTC transport needs --ufrag and --pwd");
    }
    cmd.request = body_of(std::move(req));
  } else if (verb == "set-keys") {
    fi::SetSrtpKeysT req;
    Flags flags(args, i);
    bool have_key = false, have_salt = false;
    while (flags.next(flag)) {
      if (flag == "--transport") {
        req.transport = parse_id(flags.value(flag), flag);
      } else if (flag == "--direction") {
        const auto& d = flags.value(flag);
        if (d == "in" || d == "inbound") {
          req.direction = fi::Direction::Inbound;
        } else if (d == "out" || d == "outbound") {
          req.direction = fi::Direction::Outbound;
        } else {
          throw UsageError("--direction must be in or out, got '" + d + "'");
        }
      } else if (flag == "--profile") {
        req.profile = parse_number<uint16_t>(flags.value(flag), flag);
      } else if (flag == "--key") {
        if (!parse_hex(flags.value(flag), req.master_key)) throw UsageError("--key is not hex");
        have_key = true;
      } else if (flag == "--salt") {
        if (!parse_hex(flags.value(flag), req.master_salt)) throw UsageError("--salt is not hex");
        have_salt = true;
      } else {
        throw UsageError("set-keys: unknown option " + flag);
      }
    }
    if (req.transport == 0 || req.profile == 0 || !have_key || !have_salt) {
      throw UsageError("set-keys needs --transport, --profile, --key and --salt");
    }
    cmd.request = body_of(std::move(req));
  } else if (verb == "create-producer") {
    fi::CreateProducerT req;
    Flags flags(args, i);
    while (flags.next(flag)) {
      if (flag == "--id") {
        req.id = parse_id(flags.value(flag), flag);
      } else if (flag == "--transport") {
        req.transport = parse_id(flags.value(flag), flag);
      } else if (flag == "--kind") {
        const auto& k = flags.value(flag);
        if (k == "audio") {
          req.kind = fi::MediaKind::Audio;
        } else if (k == "video") {
          req.kind = fi::MediaKind::Video;
        } else {
          throw UsageError("--kind must be audio or video, got '" + k + "'");
        }
      } else if (flag == "--paused") {
        req.paused = true;
      } else if (flag == "--stream") {
        req.streams.push_back(parse_stream(flags.value(flag)));
      } else {
        throw UsageError("create-producer: unknown option " + flag);
      }
    }
    if (req.id == 0 || req.transport == 0 || req.streams.empty()) {
      throw UsageError("create-producer needs --id, --transport and at least one --stream");
    }
    cmd.request = body_of(std::move(req));
  } else if (verb == "create-consumer") {
    fi::CreateConsumerT req;
    Flags flags(args, i);
    while (flags.next(flag)) {
      if (flag == "--id") {
        req.id = parse_id(flags.value(flag), flag);
      } else if (flag == "--producer") {
        req.producer = parse_id(flags.value(flag), flag);
      } else if (flag == "--transport") {
        req.transport = parse_id(flags.value(flag), flag);
      } else if (flag == "--ssrc") {
        req.ssrc = parse_number<uint32_t>(flags.value(flag), flag);
      } else if (flag == "--rtx-ssrc") {
        req.rtx_ssrc = parse_number<uint32_t>(flags.value(flag), flag);
      } else if (flag == "--clock-rate") {
        req.clock_rate = parse_number<uint32_t>(flags.value(flag), flag);
      } else if (flag == "--paused") {
        req.paused = true;
      } else if (flag == "--pt") {
        const auto& map = flags.value(flag);
        auto colon = map.find(':');
        if (colon == std::string::npos) throw UsageError("--pt must be FROM:TO, got '" + map + "'");
        auto pt = std::make_unique<fi::PayloadTypeMapT>();
        pt->from = parse_number<uint8_t>(map.substr(0, colon), "--pt FROM");
        pt->to = parse_number<uint8_t>(map.substr(colon + 1), "--pt TO");
        req.payload_types.push_back(std::move(pt));
      } else {
        throw UsageError("create-consumer: unknown option " + flag);
      }
    }
    if (req.id == 0 || req.producer == 0 || req.transport == 0 || req.ssrc == 0) {
      throw UsageError("create-consumer needs --id, --producer, --transport and --ssrc");
    }
    cmd.request = body_of(std::move(req));
  } else if (verb == "pause" || verb == "resume") {
    fi::SetPausedT req;
    const auto& target = positional(args, i++, "producer|consumer");
    if (target == "producer") {
      req.target = fi::PauseTarget::Producer;
    } else if (target == "consumer") {
      req.target = fi::PauseTarget::Consumer;
    } else {
      throw UsageError(verb + " takes producer or consumer, got '" + target + "'");
    }
    req.id = parse_id(positional(args, i++, "ID"), "ID");
    req.paused = verb == "pause";
    no_more(args, i);
    cmd.request = body_of(std::move(req));
  } else if (verb == "delete") {
    const auto& target = positional(args, i++, "transport|producer|consumer");
    const uint32_t id = parse_id(positional(args, i++, "ID"), "ID");
    no_more(args, i);
    if (target == "transport") {
      fi::DeleteTransportT req;
      req.id = id;
      cmd.request = body_of(std::move(req));
    } else if (target == "producer") {
      fi::DeleteProducerT req;
      req.id = id;
      cmd.request = body_of(std::move(req));
    } else if (target == "consumer") {
      fi::DeleteConsumerT req;
      req.id = id;
      cmd.request = body_of(std::move(req));
    } else {
      throw UsageError("delete takes transport, producer or consumer, got '" + target + "'");
    }
  } else if (verb == "keyframe") {
    fi::RequestKeyFrameT req;
    req.producer = parse_id(positional(args, i++, "PRODUCER"), "PRODUCER");
    no_more(args, i);
    cmd.request = body_of(std::move(req));
  } else if (verb == "flush") {
    fi::FlushT req;
    req.keep_epoch = parse_number<uint64_t>(positional(args, i++, "EPOCH"), "EPOCH");
    no_more(args, i);
    cmd.request = body_of(std::move(req));
  } else if (verb == "watch") {
    cmd.verb = Verb::kWatch;
    Flags flags(args, i);
    while (flags.next(flag)) {
      if (flag == "--count") {
        cmd.watch_count = parse_number<uint64_t>(flags.value(flag), flag);
      } else if (flag == "--seconds") {
        cmd.watch_seconds = parse_number<uint32_t>(flags.value(flag), flag);
      } else {
        throw UsageError("watch: unknown option " + flag);
      }
    }
  } else {
    throw UsageError("unknown command '" + verb + "' (try --help)");
  }
}

}  // namespace

bool parse_hex(const std::string& text, std::vector<uint8_t>& out) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.clear();
  if (text.size() % 2 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return true;
}

ParseResult parse_args(const std::vector<std::string>& args, const char* env_socket) {
  ParseResult result;
  CtlCommand& cmd = result.command;
  if (env_socket != nullptr && *env_socket != '\0') cmd.socket = env_socket;
  try {
    size_t i = 0;
    for (; i < args.size() && args[i].starts_with("-"); ++i) {
      const std::string& opt = args[i];
      if (opt == "--help" || opt == "-h") {
        cmd.verb = Verb::kHelp;
        result.ok = true;
        return result;
      } else if (opt == "--json") {
        cmd.json = true;
      } else if (opt == "--socket" || opt == "--timeout") {
        if (i + 1 >= args.size()) throw UsageError(opt + " needs a value");
        if (opt == "--socket") {
          cmd.socket = args[++i];
        } else {
          cmd.timeout_ms = static_cast<int>(parse_number<uint32_t>(args[++i], "--timeout"));
        }
      } else {
        throw UsageError("unknown option " + opt);
      }
    }
    parse_verb(args, i, cmd);
    result.ok = true;
  } catch (const UsageError& e) {
    result.ok = false;
    result.error = std::string("fanoutctl: ") + e.what();
  }
  return result;
}

std::string usage() {
  return R"(usage: fanoutctl [--socket PATH] [--json] [--timeout MS] COMMAND

Talks to fanout-dataplane over its IPC socket (default /run/fanout/dataplane.sock, or
$FANOUT_DP_SOCKET).

commands:
  hello                                 versions, epoch, worker lcores and ports
  transports | producers | consumers    list objects
  dump                                  every object with its creation parameters and state
  counters [--transport ID]             port, drop, lcore and transport counters
  counters --producer ID                one producer's RTP packets and bytes received
  counters --consumer ID                one consumer's RTP packets and bytes sent
  counters --media                      every producer's loss and consumer's receiver reports
  create-transport --id ID [--worker W] [--port P] [--local-port L]
                   (--ufrag U --pwd P | --plain [--remote ADDR:PORT] [--comedia])
  set-keys --transport ID --direction in|out --profile N --key HEX --salt HEX
  create-producer --id ID --transport ID --kind audio|video [--paused]
                  --stream ssrc=N[,rtx=N,pt=N,rtx-pt=N,clock=N,rid=R] ...
  create-consumer --id ID --producer ID --transport ID --ssrc N [--rtx-ssrc N]
                  [--pt FROM:TO ...] [--clock-rate N] [--paused]
  pause|resume producer|consumer ID
  delete transport|producer|consumer ID
  keyframe PRODUCER
  flush EPOCH                           delete every object not created under EPOCH
  watch [--count N] [--seconds S]       print events until Ctrl-C
)";
}

}  // namespace fanout::dp::ctl
