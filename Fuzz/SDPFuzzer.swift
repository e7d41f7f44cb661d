// libFuzzer target for the SDP parser, serializer and offer/answer.
// Built by `FUZZ_TARGET=sdp Fuzz/run.sh` together with Sources/SDP/*.swift in one module.
//
// Properties checked on every input (a violation traps, which libFuzzer reports as a crash):
// - nothing crashes, overflows or hangs, whatever the bytes;
// - a description that parses serializes to text that parses back to an equal description;
// - answering it (plain, and with SDES keys) and accepting our own answer as if it were
//   theirs never crashes; when our answer keys SRTP, reading it as the answer to their offer
//   gives the same keys with the directions swapped;
// - every `a=crypto` line that parses (RFC 4568 SDES keys) writes back to a line that parses
//   to the same keys.

@_cdecl("LLVMFuzzerTestOneInput")
public func sdpFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let sdp = try? SDPParser().parse(bytes) else { return 0 }
    let again = try? SDPParser().parse(sdp.text)
    precondition(again == sdp, "round trip changed the description")
    for media in sdp.media {
        for crypto in SDESCrypto.all(in: media) {
            precondition((try? SDESCrypto(parsing: crypto.attributeValue)) == crypto, "a=crypto does not read back")
        }
    }
    let origin = SDPOrigin(sessionID: "1", sessionVersion: 1, address: SDPConnection(address: "192.0.2.1"))
    let keys = SDESKeys(required: false, keys: SDESKeys.preferredSuites.map { ($0, Array(repeating: 7, count: $0.keyLength + $0.saltLength)) })
    for srtp in [nil, keys] {
        let preferences = AudioPreferences(codecs: [.opus, .pcmu, .pcma], srtp: srtp)
        guard let (answer, negotiated) = try? OfferAnswer.answer(to: sdp, origin: origin, address: "192.0.2.1", port: 4000, preferences: preferences) else { continue }
        _ = try? OfferAnswer.accept(answer: sdp, to: answer)
        precondition((try? SDPParser().parse(answer.text)) == answer, "our answer does not read back")
        if let agreed = negotiated.srtp, let theirView = try? OfferAnswer.accept(answer: answer, to: sdp) {
            precondition(theirView.srtp == NegotiatedSRTP(suite: agreed.suite, sendKey: agreed.receiveKey, receiveKey: agreed.sendKey),
                         "the offerer would read other keys from our answer")
        }
    }
    return 0
}
