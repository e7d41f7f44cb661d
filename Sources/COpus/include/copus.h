// libopus for Media's Opus wrapper. opus_encoder_ctl is variadic, which Swift cannot call,
// so the few settings sipdial uses get plain C functions here.
#ifndef SIPDIAL_COPUS_H
#define SIPDIAL_COPUS_H
#include <opus/opus.h>

/// In-band FEC on (1) or off (0), for the loss percentage the peer is expected to see.
int sipdial_opus_set_fec(OpusEncoder *encoder, int on, int expected_loss_percent);
/// Target bitrate in bits per second.
int sipdial_opus_set_bitrate(OpusEncoder *encoder, int bits_per_second);
/// Encoder complexity, 0 (cheapest) to 10 (libopus's default).
int sipdial_opus_set_complexity(OpusEncoder *encoder, int complexity);
/// The widest audio bandwidth the encoder may code (OPUS_BANDWIDTH_NARROWBAND to _FULLBAND).
int sipdial_opus_set_max_bandwidth(OpusEncoder *encoder, int bandwidth);

#endif
