#!/usr/bin/python3
"""A second, independent Fanout client: python3-aiortc (Debian) speaking signaling/PROTOCOL.md.

mediasoup-client turns the server's mediasoup-shaped parameters into SDP for the browser; this
does the same for aiortc, by hand: a send PeerConnection whose offer we answer with the send
transport's ICE/DTLS parameters, and a receive PeerConnection to which we offer the consumers.

It joins a room, publishes audio and video (aiortc's generated test tracks), consumes
`--expect-producers` producers of the other peers, reads media for `--seconds` and prints one JSON
object: frames and audio frames received per consumer, packets from getStats, errors.

Run with Debian's python (/usr/bin/python3): aiortc 1.4 and websockets 10 come from apt.
Limits (aiortc 1.4, see ../shared/TESTING.md): AES128_CM_SHA1_80 only, no transport-cc, no
simulcast; consumers are negotiated once (the producers to expect are waited for first).
"""

import argparse
import asyncio
import itertools
import json
import sys
import time

import websockets
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from aiortc.sdp import SessionDescription


class Signaling:
    """Requests with ids, responses matched by id, notifications queued."""

    def __init__(self, ws):
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending = {}
        self.notifications = asyncio.Queue()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        async for text in self.ws:
            msg = json.loads(text)
            if msg.get("notification"):
                await self.notifications.put(msg)
            elif msg.get("id") in self.pending:
                self.pending.pop(msg["id"]).set_result(msg)

    async def request(self, method, data=None, timeout=10):
        rid = next(self.ids)
        fut = asyncio.get_event_loop().create_future()
        self.pending[rid] = fut
        await self.ws.send(json.dumps({"id": rid, "method": method, "data": data or {}}))
        msg = await asyncio.wait_for(fut, timeout)
        if not msg.get("ok"):
            err = msg.get("error", {})
            raise RuntimeError(f"{method}: {err.get('code')}: {err.get('reason')}")
        return msg.get("data", {})


def transport_lines(t, setup):
    """The ICE-lite server's side of an m-section: one set of ICE credentials for the bundle."""
    ice, dtls = t["iceParameters"], t["dtlsParameters"]
    lines = [f"a=ice-ufrag:{ice['usernameFragment']}", f"a=ice-pwd:{ice['password']}"]
    for fp in dtls["fingerprints"]:
        lines.append(f"a=fingerprint:{fp['algorithm']} {fp['value']}")
    lines.append(f"a=setup:{setup}")
    for c in t["iceCandidates"]:
        lines.append(f"a=candidate:{c['foundation']} 1 udp {c['priority']} "
                     f"{c.get('address') or c['ip']} {c['port']} typ host")
    lines.append("a=end-of-candidates")
    lines.append("a=rtcp-mux")
    return lines


def fmtp(params):
    return ";".join(f"{k}={v}" for k, v in params.items())


def codec_lines(codec):
    name = codec["mimeType"].split("/")[1]
    rate = codec["clockRate"]
    chans = f"/{codec['channels']}" if codec.get("channels", 1) > 1 else ""
    pt = codec["payloadType"]
    lines = [f"a=rtpmap:{pt} {name}/{rate}{chans}"]
    if codec.get("parameters"):
        lines.append(f"a=fmtp:{pt} {fmtp(codec['parameters'])}")
    for fb in codec.get("rtcpFeedback", []):
        lines.append(f"a=rtcp-fb:{pt} {fb['type']}" + (f" {fb['parameter']}" if fb.get("parameter") else ""))
    return lines


def session_header(mids):
    return ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=ice-lite", "a=group:BUNDLE " + " ".join(mids), "a=msid-semantic: WMS *"]


def pick_send_codec(media, router_caps):
    """The first codec of aiortc's offer (no RTX) that the router supports."""
    for codec in media.rtp.codecs:
        mime = f"{media.kind}/{codec.name}".lower()
        if "rtx" in mime:
            continue
        for rc in router_caps["codecs"]:
            if rc["mimeType"].lower() == mime and rc["clockRate"] == codec.clockRate:
                return codec
    raise RuntimeError(f"no codec of aiortc's {media.kind} offer is in the router's capabilities")


async def setup_send(sig, pc, caps, cname):
    t = await sig.request("createWebRtcTransport", {"direction": "send"})
    offer = await pc.createOffer()
    await pc.setLocalDescription(offer)
    local = SessionDescription.parse(pc.localDescription.sdp)
    answer = session_header([m.rtp.muxId for m in local.media])
    produce = []
    for m in local.media:
        codec = pick_send_codec(m, caps)
        answer += [f"m={m.kind} 9 UDP/TLS/RTP/SAVPF {codec.payloadType}", "c=IN IP4 0.0.0.0",
                   f"a=mid:{m.rtp.muxId}", "a=recvonly"]
        answer += transport_lines(t, "passive")
        channels = codec.channels or 1
        params = {k: v for k, v in (codec.parameters or {}).items()}
        answer += codec_lines({"mimeType": f"{m.kind}/{codec.name}", "clockRate": codec.clockRate,
                               "channels": channels, "payloadType": codec.payloadType,
                               "parameters": params, "rtcpFeedback": []})
        ssrc = m.ssrc[0].ssrc
        produce.append((m.kind, {
            "mid": m.rtp.muxId,
            "codecs": [{"mimeType": f"{m.kind}/{codec.name}", "payloadType": codec.payloadType,
                        "clockRate": codec.clockRate,
                        **({"channels": channels} if m.kind == "audio" else {}),
                        "parameters": params, "rtcpFeedback": []}],
            "headerExtensions": [],
            "encodings": [{"ssrc": ssrc}],
            "rtcp": {"cname": cname, "reducedSize": True},
        }))
    fingerprints = [{"algorithm": f.algorithm, "value": f.value}
                    for f in local.media[0].dtls.fingerprints]
    await pc.setRemoteDescription(RTCSessionDescription("\r\n".join(answer) + "\r\n", "answer"))
    await sig.request("connectWebRtcTransport", {
        "transportId": t["id"], "dtlsParameters": {"role": "client", "fingerprints": fingerprints}})
    ids = []
    for kind, rtp in produce:
        ids.append((await sig.request("produce", {"transportId": t["id"], "kind": kind,
                                                  "rtpParameters": rtp,
                                                  "appData": {"source": "aiortc"}}))["id"])
    return t["id"], ids


# What aiortc 1.4 can receive, in mediasoup's rtpCapabilities shape.
RECV_CAPS = {
    "codecs": [
        {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2,
         "parameters": {}, "rtcpFeedback": []},
        {"kind": "video", "mimeType": "video/VP8", "clockRate": 90000, "parameters": {},
         "rtcpFeedback": [{"type": "nack"}, {"type": "nack", "parameter": "pli"}]},
    ],
    "headerExtensions": [],
}


async def setup_recv(sig, pc, producers, stats):
    t = await sig.request("createWebRtcTransport", {"direction": "recv"})
    consumers = []
    for p in producers:
        c = await sig.request("consume", {"transportId": t["id"], "producerId": p["producerId"],
                                          "rtpCapabilities": RECV_CAPS})
        consumers.append(c)
    mids = [str(i) for i in range(len(consumers))]
    offer = session_header(mids)
    for mid, c in zip(mids, consumers):
        rtp = c["rtpParameters"]
        pts = " ".join(str(codec["payloadType"]) for codec in rtp["codecs"])
        offer += [f"m={c['kind']} 9 UDP/TLS/RTP/SAVPF {pts}", "c=IN IP4 0.0.0.0",
                  f"a=mid:{mid}", "a=sendonly", "a=rtcp-rsize"]
        offer += transport_lines(t, "actpass")
        for codec in rtp["codecs"]:
            offer += codec_lines(codec)
        enc = rtp["encodings"][0]
        cname = rtp.get("rtcp", {}).get("cname", "fanout")
        offer += [f"a=msid:{c['producerId']} {c['id']}",
                  f"a=ssrc:{enc['ssrc']} cname:{cname}"]
        if enc.get("rtx"):
            offer += [f"a=ssrc-group:FID {enc['ssrc']} {enc['rtx']['ssrc']}",
                      f"a=ssrc:{enc['rtx']['ssrc']} cname:{cname}"]

    @pc.on("track")
    def on_track(track):
        entry = stats.setdefault(track.kind + ":" + str(len(stats)), {"kind": track.kind,
                                                                       "frames": 0,
                                                                       "first_frame_s": None})

        async def pump():
            while True:
                try:
                    await track.recv()
                except Exception:
                    return
                if entry["first_frame_s"] is None:
                    entry["first_frame_s"] = round(time.monotonic() - stats_start[0], 3)
                entry["frames"] += 1
        asyncio.ensure_future(pump())

    await pc.setRemoteDescription(RTCSessionDescription("\r\n".join(offer) + "\r\n", "offer"))
    answer = await pc.createAnswer()
    await pc.setLocalDescription(answer)
    local = SessionDescription.parse(pc.localDescription.sdp)
    fingerprints = [{"algorithm": f.algorithm, "value": f.value}
                    for f in local.media[0].dtls.fingerprints]
    role = "client" if local.media[0].dtls.role == "client" else "server"
    await sig.request("connectWebRtcTransport", {
        "transportId": t["id"], "dtlsParameters": {"role": role, "fingerprints": fingerprints}})
    for c in consumers:
        await sig.request("resumeConsumer", {"consumerId": c["id"]})
    return consumers


stats_start = [time.monotonic()]


async def inbound_packets(pc):
    report = await pc.getStats()
    return {s.ssrc: s.packetsReceived for s in report.values() if s.type == "inbound-rtp"}


async def run(args):
    result = {"ok": False, "received": {}, "errors": []}
    stats_start[0] = time.monotonic()
    async with websockets.connect(args.url, max_size=1 << 20,
                                  origin=args.origin) as ws:
        sig = Signaling(ws)
        join = {"roomId": args.room, "displayName": args.name}
        if args.token:
            join["token"] = args.token
        joined = await sig.request("join", join)
        result["peerId"] = joined["peerId"]
        caps = (await sig.request("getRouterRtpCapabilities"))["rtpCapabilities"]
        producers = [p for p in joined.get("producers", [])]

        send_pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        send_pc.addTrack(AudioStreamTrack())
        send_pc.addTrack(VideoStreamTrack())
        _, result["producerIds"] = await setup_send(sig, send_pc, caps, args.name)

        deadline = time.monotonic() + args.wait_producers
        while len(producers) < args.expect_producers and time.monotonic() < deadline:
            try:
                note = await asyncio.wait_for(sig.notifications.get(),
                                              max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if note["method"] == "newProducer":
                producers.append(note["data"])
        if len(producers) < args.expect_producers:
            result["errors"].append(f"saw {len(producers)} producers, expected "
                                    f"{args.expect_producers}")
        recv_pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        if producers:
            result["consumers"] = len(await setup_recv(sig, recv_pc, producers,
                                                       result["received"]))
        await asyncio.sleep(args.seconds)
        result["inboundPackets"] = {str(k): v for k, v in (await inbound_packets(recv_pc)).items()}
        result["sendIceState"] = send_pc.iceConnectionState
        result["recvIceState"] = recv_pc.iceConnectionState
        await sig.request("leave")
        await send_pc.close()
        await recv_pc.close()
        sig.reader.cancel()
    result["ok"] = not result["errors"]
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="ws://127.0.0.1:8080/ws")
    ap.add_argument("--origin", default=None)
    ap.add_argument("--room", required=True)
    ap.add_argument("--name", default="aiortc")
    ap.add_argument("--token", default="")
    ap.add_argument("--expect-producers", type=int, default=2)
    ap.add_argument("--wait-producers", type=float, default=20)
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()
    try:
        result = asyncio.run(asyncio.wait_for(run(args), args.seconds + args.wait_producers + 30))
    except Exception as e:  # the harness reads the JSON; the reason must reach it
        result = {"ok": False, "errors": [f"{type(e).__name__}: {e}"]}
    print(json.dumps(result), flush=True)
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
