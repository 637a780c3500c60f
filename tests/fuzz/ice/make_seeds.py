#!/usr/bin/env python3
"""Writes the stun_parse seed corpus: the RFC 5769 vectors and browser-shaped binding requests
(USERNAME, GOOG-NETWORK-INFO, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MI, FINGERPRINT)."""
import hashlib, hmac, os, struct, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'stun_parse')
PASSWORD = b'VOkJxbRl1RmTxUk/WvJxBt'

RFC5769 = {
    'rfc5769_request': '000100582112a442b7e7a701bc34d686fa87dfae802200105354554e2074657374'
                       '20636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576'
                       '746a3a6836765920202000080014 9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2'
                       '80280004e57a3bcf',
    'rfc5769_response_v4': '0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563'
                           '746f7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f9'
                           '2af9ba53f06be7d780280004c07d4c96',
    'rfc5769_response_v6': '010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563'
                           '746f7220002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014'
                           'a382954e4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c',
}


def attr(t, v, pad=b'\0'):
    return struct.pack('!HH', t, len(v)) + v + pad * ((4 - len(v) % 4) % 4)


def request(txid, attrs, password=PASSWORD):
    body = b''.join(attrs)
    hdr = struct.pack('!HHI', 0x0001, len(body) + 24, 0x2112a442) + txid
    mac = hmac.new(password, hdr + body, hashlib.sha1).digest()
    body += attr(0x0008, mac)
    hdr = struct.pack('!HHI', 0x0001, len(body) + 8, 0x2112a442) + txid
    crc = (zlib.crc32(hdr + body) ^ 0x5354554e) & 0xffffffff
    return hdr + body + attr(0x8028, struct.pack('!I', crc))


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, h in RFC5769.items():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(bytes.fromhex(h.replace(' ', '')))
    txid = bytes(range(1, 13))
    browser = [
        attr(0x0006, b'evtj:h6vYabcd'),
        attr(0xc057, struct.pack('!HH', 1, 10)),
        attr(0x802a, struct.pack('!Q', 0x1122334455667788)),
        attr(0x0025, b''),
        attr(0x0024, struct.pack('!I', 0x6e7f1eff)),
    ]
    with open(os.path.join(OUT, 'browser_nominating_request'), 'wb') as f:
        f.write(request(txid, browser))
    with open(os.path.join(OUT, 'browser_request_wrong_password'), 'wb') as f:
        f.write(request(txid, browser[:3] + browser[4:], b'not the password'))


if __name__ == '__main__':
    main()
