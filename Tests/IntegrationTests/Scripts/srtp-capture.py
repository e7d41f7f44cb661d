#!/usr/bin/python3
"""An independent check that a call's media is real SRTP (RFC 3711): capture the call on the
loopback interface, read the SDES keys from the SIP on the wire (RFC 4568), and decrypt the
offerer's RTP with libsrtp through pylibsrtp (Debian python3-pylibsrtp), not through sipdial.

    srtp-capture.py SECONDS DECODED.wav

Captures UDP on lo (AF_PACKET, needs root) for SECONDS or until DECODED.wav.stop exists, then prints one JSON
object: the suite, how many of the offerer's RTP packets were captured, decrypted and refused;
writes the decrypted PCMU audio to DECODED.wav and the captured payloads read as PCMU without
decrypting to DECODED.raw.wav (8 kHz mono: ciphertext should sound like noise). "error" says
what was missing.
"""
import base64, json, os, re, socket, struct, sys, time, wave

import pylibsrtp

PROFILES = {
    "AES_CM_128_HMAC_SHA1_80": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
    "AEAD_AES_128_GCM": pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
}


def capture(seconds, stop):
    """UDP datagrams on lo as (source port, destination port, payload), each once, until
    `seconds` passed or the file `stop` exists."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind(("lo", 0))
    sock.settimeout(0.2)
    print("capturing", flush=True)
    datagrams, deadline = [], time.time() + seconds
    while not os.path.exists(stop) and time.time() < deadline:
        try:
            frame, address = sock.recvfrom(65535)
        except socket.timeout:
            continue
        if address[2] == socket.PACKET_OUTGOING:  # lo shows each packet leaving and arriving
            continue
        ip = frame[14:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        udp = ip[(ip[0] & 0x0F) * 4:]
        source, destination = struct.unpack("!HH", udp[:4])
        datagrams.append((source, destination, bytes(udp[8:])))
    return datagrams


def sdp_media(message):
    """(audio port, {tag: (suite, key)}) of a SIP message's SDP."""
    port = re.search(rb"m=audio (\d+) ", message)
    crypto = {int(t): (s.decode(), base64.b64decode(k))
              for t, s, k in re.findall(rb"a=crypto:(\d+) (\S+) inline:([A-Za-z0-9+/=]+)", message)}
    return (int(port.group(1)) if port else None), crypto


def ulaw_to_linear(byte):
    u = ~byte & 0xFF
    t = ((u & 0x0F) << 3) + 0x84
    t <<= (u & 0x70) >> 4
    return (0x84 - t) if u & 0x80 else (t - 0x84)


def write_wav(path, samples):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<%dh" % len(samples), *samples))


def main():
    seconds, out = float(sys.argv[1]), sys.argv[2]
    datagrams = capture(seconds, out + ".stop")
    offer = next((p for _, _, p in datagrams if p.startswith(b"INVITE ") and b"a=crypto:" in p), None)
    answer = next((p for _, _, p in datagrams if p.startswith(b"SIP/2.0 200") and b"a=crypto:" in p), None)
    if offer is None or answer is None:
        print(json.dumps({"error": "no INVITE and 200 with a=crypto captured", "datagrams": len(datagrams)}))
        return
    offer_port, offered = sdp_media(offer)
    answer_port, answered = sdp_media(answer)
    tag, (suite, _) = next(iter(answered.items()))
    offered_suite, key = offered[tag]
    session = pylibsrtp.Session(pylibsrtp.Policy(key=key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_INBOUND,
                                                 srtp_profile=PROFILES[suite]))
    packets = [p for s, d, p in datagrams if s == offer_port and d == answer_port and len(p) > 12 and p[0] >> 6 == 2]
    decrypted, refused, samples, raw = 0, 0, [], []
    for packet in packets:
        raw.extend(ulaw_to_linear(b) for b in packet[12:-10])
        try:
            plain = session.unprotect(packet)
        except pylibsrtp.Error:
            refused += 1
            continue
        decrypted += 1
        if plain[1] & 0x7F == 0:
            samples.extend(ulaw_to_linear(b) for b in plain[12:])
    write_wav(out, samples)
    write_wav(out[:-4] + ".raw.wav", raw)
    print(json.dumps({"suite": suite, "offered_suite": offered_suite, "packets": len(packets),
                      "decrypted": decrypted, "refused": refused, "samples": len(samples)}))


main()
