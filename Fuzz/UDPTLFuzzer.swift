// libFuzzer target for UDPTL (ITU-T T.38 §9.1): the datagram parser and the receiver that
// recovers IFP packets from redundancy and parity FEC.
// Built by `FUZZ_TARGET=udptl Fuzz/run.sh` together with Sources/T38/*.swift in one module.
//
// The input is a run of datagrams, each one length byte (two when the first is 0xFF) and
// then that many bytes, read in order by one receiver. Properties checked on every input (a
// violation traps, which libFuzzer reports as a crash):
// - nothing crashes, overflows or hangs, whatever the bytes;
// - a datagram that parses serializes to one that parses and serializes to the same bytes;
// - the receiver passes each sequence number on at most once between restarts, and never
//   more IFPs than the datagram's primary plus what its recovery data can hold.

@_cdecl("LLVMFuzzerTestOneInput")
public func udptlFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var receiver = UDPTLReceiver()
    var offset = 0
    while offset < input.count {
        var length = Int(input[offset])
        offset += 1
        if length == 0xFF, offset < input.count {
            length = 0xFF + Int(input[offset]) * 4
            offset += 1
        }
        let end = min(input.count, offset + length)
        let datagram = Array(input[offset..<end])
        offset = end
        if let packet = try? UDPTLPacket(parsing: datagram) {
            let once = packet.bytes
            guard let again = try? UDPTLPacket(parsing: once), again.bytes == once else { fatalError("round trip changed \(datagram)") }
        }
        let before = receiver.statistics.malformed
        let passed = receiver.receive(datagram)
        if receiver.statistics.malformed > before, !passed.isEmpty { fatalError("a malformed datagram passed IFPs on") }
        if passed.count > 33 { fatalError("\(passed.count) IFPs from one datagram") }
        if Set(passed.map(\.sequence)).count != passed.count { fatalError("a sequence number passed twice in one datagram") }
    }
    return 0
}
