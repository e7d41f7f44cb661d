// The reflector's inner loop: read a batch of datagrams with recvmmsg(2), send each back to
// its source with one sendmmsg(2), and report what arrived. In C because Swift's Glibc module
// does not expose recvmmsg/sendmmsg or the CMSG_* macros; batching keeps the reflector's own
// CPU use low on a 2-core machine where it shares the cores with the sender it measures.
#ifndef SIPDIAL_CREFLECTOR_H
#define SIPDIAL_CREFLECTOR_H
#include <stdint.h>

/// One reflected datagram: its length, the first 12 bytes (an RTP header when it is RTP),
/// its source (IPv4 address and port in network order) and the kernel's arrival time in
/// nanoseconds (SO_TIMESTAMPNS, CLOCK_REALTIME).
struct reflected_datagram {
    int length;
    uint8_t head[12];
    uint32_t source_address;
    uint16_t source_port;
    int64_t arrival_nanoseconds;
};

/// Waits for datagrams on the bound IPv4 socket `fd` (up to its SO_RCVTIMEO), reads up to
/// `count` (at most 256), sends each back where it came from and describes them in
/// `out`. Returns how many were read, 0 on timeout, -1 on another error.
int reflect_batch(int fd, struct reflected_datagram *out, int count);

#endif
