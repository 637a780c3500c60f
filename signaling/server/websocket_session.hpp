#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <memory>
#include <string>

#include "signaling/server/fail.hpp"
#include "signaling/server/log.hpp"
#include "signaling/server/protocol.hpp"
#include "signaling/server/shared_state.hpp"
#include "signaling/server/token_bucket.hpp"

namespace fanout::sig {

// One WebSocket connection (Beast's chat-multi websocket_session) with what the example leaves
// out: a bounded write queue, read_message_max, handshake/idle timeouts with keep-alive pings, a
// request rate limit and JSON request dispatch. Everything below runs on the connection's strand
// except the Session interface, which posts to it.
template <class Stream>
class WebSocketSession final : public Session,
                               public std::enable_shared_from_this<WebSocketSession<Stream>> {
  using Clock = std::chrono::steady_clock;

 public:
  WebSocketSession(Stream&& stream, std::shared_ptr<SharedState> state, ConnectionTicket ticket,
                   std::string remote)
      : ws_(std::move(stream)),
        state_(std::move(state)),
        ticket_(std::move(ticket)),
        id_(state_->next_session_id()),
        remote_(std::move(remote)),
        close_timer_(ws_.get_executor()),
        bucket_(state_->config().rate_limit_per_second, state_->config().rate_limit_burst) {}

  ~WebSocketSession() override {
    state_->metrics().ws_queued_bytes.fetch_sub(
        static_cast<std::int64_t>(queued_bytes_.load(std::memory_order_relaxed)),
        std::memory_order_relaxed);
  }

  template <class Body, class Allocator>
  void run(boost::beast::http::request<Body, boost::beast::http::basic_fields<Allocator>> req) {
    namespace websocket = boost::beast::websocket;
    const ServerConfig& cfg = state_->config();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = cfg.ws_handshake_timeout;
    timeouts.idle_timeout = cfg.ws_idle_timeout;
    timeouts.keep_alive_pings = true;  // a ping at half the idle time keeps live peers open
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(boost::beast::http::field::server, "fanout-signaling");
    }));
    ws_.read_message_max(cfg.ws_read_message_max);
    ws_.async_accept(req, boost::beast::bind_front_handler(&WebSocketSession::on_accept,
                                                           this->shared_from_this()));
  }

  // Session
  std::uint64_t id() const override { return id_; }
  const std::string& remote() const override { return remote_; }

  void notify(std::string_view method, boost::json::value data) override {
    std::string text = make_notification(method, data);
    if (!reserve(text.size())) {
      boost::asio::post(ws_.get_executor(),
                        [self = this->shared_from_this()] { self->slow_consumer(); });
      return;
    }
    boost::asio::post(ws_.get_executor(),
                      [self = this->shared_from_this(), text = std::move(text)]() mutable {
                        self->enqueue_reserved(std::move(text));
                      });
  }

  void close(std::string reason) override {
    boost::asio::post(ws_.get_executor(), [self = this->shared_from_this(),
                                           reason = std::move(reason)]() mutable {
      self->begin_close(boost::beast::websocket::close_code::policy_error, std::move(reason));
    });
  }

 private:
  void on_accept(boost::beast::error_code ec) {
    if (ec) return fail(ec, "websocket handshake", remote_);
    accepted_ = true;
    Metrics& m = state_->metrics();
    m.ws_connections_current.fetch_add(1, std::memory_order_relaxed);
    m.ws_connections_total.fetch_add(1, std::memory_order_relaxed);
    state_->add(id_, this->weak_from_this());
    log_debug(remote_ + ": websocket session " + std::to_string(id_) + " open");
    state_->handler().on_open(this->shared_from_this());
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, boost::beast::bind_front_handler(&WebSocketSession::on_read,
                                                             this->shared_from_this()));
  }

  void on_read(boost::beast::error_code ec, std::size_t /*bytes*/) {
    namespace websocket = boost::beast::websocket;
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        // Beast has already sent close code 1009 (too big) and torn the connection down.
        log_info(remote_ + ": message larger than websocket.read_message_max (" +
                 std::to_string(state_->config().ws_read_message_max) + " bytes); closed");
      } else if (ec == boost::beast::error::timeout) {
        log_info(remote_ + ": websocket idle or handshake timeout; closed");
      } else {
        fail(ec, "websocket read", remote_);
      }
      return finish();
    }
    const Clock::time_point received = Clock::now();
    state_->metrics().ws_messages_in.fetch_add(1, std::memory_order_relaxed);
    const bool text_frame = ws_.got_text();
    std::string text = boost::beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    // Keep reading while the request is handled: pings, pongs and the close frame are only seen
    // by a pending read, and the token bucket bounds what a client can pipeline.
    do_read();
    if (closing_) return;
    handle_message(text, text_frame, received);
  }

  void handle_message(const std::string& text, bool text_frame, Clock::time_point received) {
    const bool allowed = bucket_.try_take(received);
    if (!text_frame) {
      reply_error(nullptr, kErrBinaryFrame, "only JSON text frames are accepted", "-", received);
      if (!allowed) rate_limited(received);
      return;
    }
    auto parsed = parse_request(text);
    if (!allowed) {
      const boost::json::value id = std::holds_alternative<Request>(parsed)
                                        ? std::get<Request>(parsed).id
                                        : std::get<BadRequest>(parsed).id;
      reply_error(id, kErrRateLimited, "too many requests; slow down", "-", received);
      rate_limited(received);
      return;
    }
    if (auto* bad = std::get_if<BadRequest>(&parsed)) {
      reply_error(bad->id, bad->error.code, bad->error.reason, "-", received);
      return;
    }
    dispatch(std::move(std::get<Request>(parsed)), received);
  }

  void dispatch(Request req, Clock::time_point received) {
    auto self = this->shared_from_this();
    auto respond = [self, id = req.id, method = req.method, received](Reply reply) mutable {
      boost::asio::post(self->ws_.get_executor(),
                        [self, id = std::move(id), method = std::move(method), received,
                         reply = std::move(reply)]() mutable {
                          self->complete(id, method, std::move(reply), received);
                        });
    };
    try {
      state_->handler().on_request(self, req.method, std::move(req.data), std::move(respond));
    } catch (const std::exception& e) {
      log_warn(remote_ + ": handler for '" + req.method + "' threw: " + e.what());
      reply_error(req.id, kErrInternal, "internal error", req.method, received);
    }
  }

  void complete(const boost::json::value& id, const std::string& method, Reply reply,
                Clock::time_point received) {
    if (auto* err = std::get_if<RequestError>(&reply)) {
      // Unknown method names come from clients: do not let them create metric series.
      // (Not a ?: of "..." and std::string: that makes a temporary string the view outlives.)
      std::string_view label = method;
      if (err->code == kErrUnknownMethod) label = "(unknown)";
      reply_error(id, err->code, err->reason, label, received);
      return;
    }
    record(method, "ok", received);
    send(make_response(id, std::get<boost::json::value>(reply)));
  }

  void reply_error(const boost::json::value& id, std::string_view code, std::string_view reason,
                   std::string_view method_label, Clock::time_point received) {
    record(method_label, code, received);
    send(make_error(id, code, reason));
  }

  void record(std::string_view method, std::string_view result, Clock::time_point received) {
    state_->metrics().record_request(
        method, result, std::chrono::duration<double>(Clock::now() - received).count());
  }

  // Refused requests close the connection when they keep coming: `close_after` refusals with no
  // pause of 10 s between them.
  void rate_limited(Clock::time_point now) {
    if (now - last_refused_ > std::chrono::seconds(10)) strikes_ = 0;
    last_refused_ = now;
    if (++strikes_ >= state_->config().rate_limit_close_after) {
      state_->metrics().ws_rate_limit_closes.fetch_add(1, std::memory_order_relaxed);
      log_info(remote_ + ": closing after " + std::to_string(strikes_) +
               " rate-limited requests (rate_limit.requests_per_second=" +
               std::to_string(state_->config().rate_limit_per_second) + ")");
      begin_close(boost::beast::websocket::close_code::policy_error, "rate limited");
    }
  }

  // Write queue bound, counted from any thread before a message is posted so that a producer
  // on another thread cannot grow the strand's queue either. The message in flight counts.
  bool reserve(std::size_t bytes) {
    const ServerConfig& cfg = state_->config();
    const std::size_t msgs = queued_msgs_.fetch_add(1, std::memory_order_relaxed) + 1;
    const std::size_t total = queued_bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    if (msgs > cfg.ws_write_queue_messages || total > cfg.ws_write_queue_bytes) {
      release(bytes);
      return false;
    }
    Metrics& m = state_->metrics();
    m.ws_queued_bytes.fetch_add(static_cast<std::int64_t>(bytes), std::memory_order_relaxed);
    auto peak = m.ws_queued_bytes_peak.load(std::memory_order_relaxed);
    while (static_cast<std::int64_t>(total) > peak &&
           !m.ws_queued_bytes_peak.compare_exchange_weak(peak, static_cast<std::int64_t>(total),
                                                         std::memory_order_relaxed)) {
    }
    return true;
  }

  void release(std::size_t bytes) {
    queued_msgs_.fetch_sub(1, std::memory_order_relaxed);
    queued_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  }

  void release_accounted(std::size_t bytes) {
    release(bytes);
    state_->metrics().ws_queued_bytes.fetch_sub(static_cast<std::int64_t>(bytes),
                                                std::memory_order_relaxed);
  }

  void send(std::string text) {
    if (!reserve(text.size())) return slow_consumer();
    enqueue_reserved(std::move(text));
  }

  void enqueue_reserved(std::string text) {
    if (closing_ || finished_) return release_accounted(text.size());
    queue_.push_back(std::move(text));
    if (!writing_) do_write();
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(
        boost::asio::buffer(queue_.front()),
        boost::beast::bind_front_handler(&WebSocketSession::on_write, this->shared_from_this()));
  }

  void on_write(boost::beast::error_code ec, std::size_t /*bytes*/) {
    writing_ = false;
    release_accounted(queue_.front().size());
    queue_.pop_front();
    if (ec) {
      drop_queue();
      return fail(ec, "websocket write", remote_);
    }
    state_->metrics().ws_messages_out.fetch_add(1, std::memory_order_relaxed);
    if (closing_) return do_close();
    if (!queue_.empty()) do_write();
  }

  void slow_consumer() {
    if (closing_ || finished_) return;
    state_->metrics().ws_slow_consumer_closes.fetch_add(1, std::memory_order_relaxed);
    log_info(remote_ + ": write queue over websocket.write_queue_messages/_bytes (" +
             std::to_string(state_->config().ws_write_queue_messages) + " messages, " +
             std::to_string(state_->config().ws_write_queue_bytes) +
             " bytes); closing slow consumer");
    begin_close(boost::beast::websocket::close_code::policy_error, "slow consumer");
  }

  // Drops what is queued, sends a close frame once the write in flight (if any) is done, and
  // cuts the TCP connection if that does not happen within websocket.close_timeout_ms.
  void begin_close(boost::beast::websocket::close_code code, std::string reason) {
    if (closing_ || finished_) return;
    closing_ = true;
    close_reason_ = boost::beast::websocket::close_reason(code, reason);
    drop_queue();
    close_timer_.expires_after(state_->config().ws_close_timeout);
    close_timer_.async_wait([self = this->shared_from_this()](boost::beast::error_code ec) {
      if (ec) return;
      log_info(self->remote_ + ": peer did not complete the close in time; connection cut");
      boost::beast::get_lowest_layer(self->ws_).close();
    });
    if (!writing_) do_close();
  }

  void do_close() {
    if (close_sent_) return;
    close_sent_ = true;
    ws_.async_close(close_reason_, [self = this->shared_from_this()](boost::beast::error_code ec) {
      self->close_timer_.cancel();
      if (ec) fail(ec, "websocket close", self->remote_);
    });
  }

  // Keeps the message in flight (its buffer is in use), frees the rest.
  void drop_queue() {
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      release_accounted(queue_.back().size());
      queue_.pop_back();
    }
  }

  // The read loop has ended: the connection is gone for the handler.
  void finish() {
    if (finished_) return;
    finished_ = true;
    drop_queue();
    if (!accepted_) return;
    state_->metrics().ws_connections_current.fetch_sub(1, std::memory_order_relaxed);
    state_->remove(id_);
    state_->handler().on_close(*this);
    log_debug(remote_ + ": websocket session " + std::to_string(id_) + " closed");
  }

  boost::beast::websocket::stream<Stream> ws_;
  std::shared_ptr<SharedState> state_;
  ConnectionTicket ticket_;
  const std::uint64_t id_;
  const std::string remote_;
  boost::asio::steady_timer close_timer_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::atomic<std::size_t> queued_msgs_{0};
  std::atomic<std::size_t> queued_bytes_{0};
  TokenBucket bucket_;
  unsigned strikes_ = 0;
  Clock::time_point last_refused_{};
  boost::beast::websocket::close_reason close_reason_;
  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  bool finished_ = false;
};

}  // namespace fanout::sig
