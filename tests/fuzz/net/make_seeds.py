#!/usr/bin/env python3
"""Writes the net_parse seed corpus: the frames the data plane sees, with valid checksums — STUN,
DTLS, RTP and RTCP over IPv4/IPv6 (one with a VLAN tag), ARP request, ICMP echo, ICMPv6 echo and
Neighbor Solicitation (with and without source link-layer option, and DAD)."""
import os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'net_parse')
MAC_A = bytes.fromhex('02000000000a')
MAC_B = bytes.fromhex('02000000000b')
V4_A, V4_B = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2])
V6_A = bytes.fromhex('20010db800000000000000000000000a')
V6_B = bytes.fromhex('20010db800000000000000000000000b')


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(dst, src, etype, vlan=None):
    tag = struct.pack('!HH', 0x8100, vlan) if vlan is not None else b''
    return dst + src + tag + struct.pack('!H', etype)


def l4_checksummed(src, dst, proto, l4, at):
    if len(src) == 4:
        ph = src + dst + struct.pack('!BBH', 0, proto, len(l4))
    else:
        ph = src + dst + struct.pack('!I3xB', len(l4), proto)
    c = csum(ph + l4) or 0xffff
    return l4[:at] + struct.pack('!H', c) + l4[at + 2:]


def ip4(src, dst, proto, payload):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 0x1234, 0x4000, 64, proto, 0,
                    src, dst)
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + payload


def ip6(src, dst, nh, payload, hop=64):
    return struct.pack('!IHBB', 6 << 28, len(payload), nh, hop) + src + dst + payload


def udp_frame(v6, payload, vlan=None, sport=50000, dport=4443):
    s, d = (V6_A, V6_B) if v6 else (V4_A, V4_B)
    u = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    u = l4_checksummed(s, d, 17, u, 6)
    ip = ip6(s, d, 17, u) if v6 else ip4(s, d, 17, u)
    return eth(MAC_B, MAC_A, 0x86dd if v6 else 0x0800, vlan) + ip


STUN = bytes.fromhex('000100582112a442b7e7a701bc34d686fa87dfae802200105354554e2074657374'
                     '20636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576'
                     '746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2'
                     '80280004e57a3bcf')
DTLS = bytes.fromhex('16fefd0000000000000000002c010000200000000000000020fefd') + bytes(32)
RTP = bytes.fromhex('806f1234000003e8deadbeef') + bytes(range(160))
RTCP = bytes.fromhex('81c90007deadbeef') + bytes(24) + bytes(10)


def write(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    write('v4_stun', udp_frame(False, STUN))
    write('v6_stun', udp_frame(True, STUN))
    write('v4_vlan_dtls', udp_frame(False, DTLS, vlan=7))
    write('v4_rtp', udp_frame(False, RTP))
    write('v6_vlan_rtcp', udp_frame(True, RTCP, vlan=100))
    arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + MAC_A + V4_A + bytes(6) + V4_B
    write('arp_request', (eth(b'\xff' * 6, MAC_A, 0x0806) + arp).ljust(60, b'\0'))
    icmp = b'\x08\x00\x00\x00\x12\x34\x00\x01' + b'ping payload'
    icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
    write('icmp_echo', eth(MAC_B, MAC_A, 0x0800) + ip4(V4_A, V4_B, 1, icmp))
    e6 = l4_checksummed(V6_A, V6_B, 58, b'\x80\x00\x00\x00\x12\x34\x00\x01' + b'ping6', 2)
    write('icmpv6_echo', eth(MAC_B, MAC_A, 0x86dd) + ip6(V6_A, V6_B, 58, e6))
    snm = bytes.fromhex('ff0200000000000000000001ff00000b')
    for name, src, opt in (('ns', V6_A, b'\x01\x01' + MAC_A), ('ns_no_slla', V6_A, b''),
                           ('ns_dad', bytes(16), b'')):
        ns = l4_checksummed(src, snm, 58, b'\x87\x00\x00\x00' + bytes(4) + V6_B + opt, 2)
        write(name, eth(bytes.fromhex('3333ff00000b'), MAC_A, 0x86dd, 5 if name == 'ns' else None)
              + ip6(src, snm, 58, ns, 255))


if __name__ == '__main__':
    main()
