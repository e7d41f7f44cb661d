#include "copus.h"

int sipdial_opus_set_fec(OpusEncoder *encoder, int on, int expected_loss_percent) {
    int r = opus_encoder_ctl(encoder, OPUS_SET_INBAND_FEC(on));
    if (r != OPUS_OK) return r;
    return opus_encoder_ctl(encoder, OPUS_SET_PACKET_LOSS_PERC(expected_loss_percent));
}

int sipdial_opus_set_bitrate(OpusEncoder *encoder, int bits_per_second) {
    return opus_encoder_ctl(encoder, OPUS_SET_BITRATE(bits_per_second));
}

int sipdial_opus_set_complexity(OpusEncoder *encoder, int complexity) {
    return opus_encoder_ctl(encoder, OPUS_SET_COMPLEXITY(complexity));
}

int sipdial_opus_set_max_bandwidth(OpusEncoder *encoder, int bandwidth) {
    return opus_encoder_ctl(encoder, OPUS_SET_MAX_BANDWIDTH(bandwidth));
}
