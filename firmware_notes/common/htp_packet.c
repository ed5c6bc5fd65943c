/*
 * htp_packet.c - see htp_packet.h. C99, no allocation, no platform calls. License: MIT.
 */
#include "htp_packet.h"

static void put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v) {
    put_u16(p, (uint16_t)(v & 0xFFFFu));
    put_u16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | ((uint16_t)p[1] << 8)); }

static int valid_fmt(uint8_t fmt) {
    return fmt == HTP_FMT_ACC || ((fmt & 0x0Fu) == HTP_FMT_ACC_GYRO && (fmt >> 4) <= HTP_GYRO_1000DPS);
}

static int valid_range(uint8_t r) { return r == 0 || r == 2 || r == 4 || r == 8 || r == 16; }

static size_t sample_bytes(uint8_t fmt) {
    if (!valid_fmt(fmt)) return 0;
    return (fmt & 0x0Fu) == HTP_FMT_ACC ? 6u : 12u;
}

size_t htp_max_samples(uint16_t mtu, uint8_t fmt) {
    size_t sb = sample_bytes(fmt), n;
    if (sb == 0 || mtu < 3u + HTP_HEADER_BYTES) return 0;
    n = ((size_t)mtu - 3u - HTP_HEADER_BYTES) / sb;
    return n > HTP_MAX_SAMPLES ? HTP_MAX_SAMPLES : n;
}

size_t htp_packet_size(uint8_t fmt, size_t n) {
    size_t sb = sample_bytes(fmt);
    return sb == 0 ? 0 : HTP_HEADER_BYTES + sb * n;
}

/* Header of a packet of n samples; returns the packet length, 0 if it cannot be written. */
static size_t put_header(uint8_t *out, size_t cap, uint16_t seq, uint32_t t0_us, uint16_t odr_dhz,
                         uint8_t range_g, uint8_t fmt, size_t n) {
    size_t len = htp_packet_size(fmt, n);
    if (n == 0 || n > HTP_MAX_SAMPLES || len == 0 || len > cap) return 0;
    out[0] = (uint8_t)HTP_VERSION;
    out[1] = fmt;
    put_u16(out + 2, seq);
    put_u32(out + 4, t0_us);
    put_u16(out + 8, odr_dhz);
    out[10] = range_g;
    out[11] = (uint8_t)n;
    return len;
}

static uint8_t *put_sample(uint8_t *p, const htp_sample_t *s, uint8_t fmt) {
    size_t k;
    for (k = 0; k < 3; k++, p += 2) put_u16(p, (uint16_t)s->acc[k]);
    if ((fmt & 0x0Fu) == HTP_FMT_ACC_GYRO)
        for (k = 0; k < 3; k++, p += 2) put_u16(p, (uint16_t)s->gyro[k]);
    return p;
}

size_t htp_encode_packet(uint8_t *out, size_t cap, uint16_t seq, uint32_t t0_us, uint16_t odr_dhz,
                         uint8_t range_g, uint8_t fmt, const htp_sample_t *samples, size_t n) {
    size_t i, len = put_header(out, cap, seq, t0_us, odr_dhz, range_g, fmt, n);
    uint8_t *p = out + HTP_HEADER_BYTES;
    if (len == 0) return 0;
    for (i = 0; i < n; i++) p = put_sample(p, &samples[i], fmt);
    return len;
}

void htp_batcher_init(htp_batcher_t *b, uint16_t odr_dhz, uint8_t range_g, uint8_t fmt, uint8_t n_max,
                      uint16_t max_latency_ms, uint16_t first_seq) {
    size_t cap = htp_max_samples(247, fmt);
    if (n_max == 0 || n_max > cap) n_max = (uint8_t)(n_max == 0 ? cap : n_max);
    if (n_max > HTP_RING_CAPACITY) n_max = (uint8_t)HTP_RING_CAPACITY;
    if (n_max == 0) n_max = 1;
    b->head = 0;
    b->count = 0;
    b->seq = first_seq;
    b->odr_dhz = odr_dhz;
    b->range_g = range_g;
    b->fmt = fmt;
    b->n_max = n_max;
    b->max_latency_us = (uint32_t)max_latency_ms * 1000u;
    b->overflow_samples = 0;
}

int htp_batcher_push(htp_batcher_t *b, const htp_sample_t *s) {
    if (b->count >= HTP_RING_CAPACITY) {
        b->overflow_samples++;
        return 0;
    }
    b->ring[(b->head + b->count) % HTP_RING_CAPACITY] = *s;
    b->count++;
    return 1;
}

/* Encode the n oldest samples straight from the ring (no copy, small stack) and drop them. */
static size_t emit(htp_batcher_t *b, size_t n, uint8_t *out, size_t cap) {
    size_t i, len = put_header(out, cap, b->seq, b->ring[b->head].t_us, b->odr_dhz, b->range_g, b->fmt, n);
    uint8_t *p = out + HTP_HEADER_BYTES;
    if (len == 0) return 0;
    for (i = 0; i < n; i++) p = put_sample(p, &b->ring[(b->head + i) % HTP_RING_CAPACITY], b->fmt);
    b->head = (b->head + n) % HTP_RING_CAPACITY;
    b->count -= n;
    b->seq = (uint16_t)(b->seq + 1u);
    return len;
}

size_t htp_batcher_poll(htp_batcher_t *b, uint32_t now_us, uint8_t *out, size_t cap) {
    uint32_t age;
    if (b->count == 0) return 0;
    if (b->count >= b->n_max) return emit(b, b->n_max, out, cap);
    age = now_us - b->ring[b->head].t_us; /* unsigned: correct across the 2^32 wrap */
    if (age >= b->max_latency_us) return emit(b, b->count, out, cap);
    return 0;
}

size_t htp_batcher_flush(htp_batcher_t *b, uint8_t *out, size_t cap) {
    size_t n = b->count < b->n_max ? b->count : b->n_max;
    return n == 0 ? 0 : emit(b, n, out, cap);
}

void htp_batcher_unpoll(htp_batcher_t *b, size_t n) {
    if (n == 0 || b->count + n > HTP_RING_CAPACITY) return;
    b->head = (b->head + HTP_RING_CAPACITY - n) % HTP_RING_CAPACITY;
    b->count += n;
    b->seq = (uint16_t)(b->seq - 1u);
}

uint8_t htp_parse_request(const uint8_t *data, size_t len, htp_request_t *req) {
    size_t want, i;
    uint64_t u = 0;
    req->opcode = 0;
    req->odr_dhz = 0;
    req->range_g = 0;
    req->max_batch = 0;
    req->max_latency_ms = 0;
    req->fmt = 0;
    req->host_unix_us = 0;
    if (len == 0) return HTP_INVALID_LENGTH;
    switch (data[0]) {
    case HTP_OP_GET_CAPS: case HTP_OP_STOP: case HTP_OP_GET_STATUS: want = 0; break;
    case HTP_OP_START: want = 6; break;
    case HTP_OP_TIME_SYNC: want = 8; break;
    default: return HTP_INVALID_OP_CODE;
    }
    if (len - 1 != want && !(data[0] == HTP_OP_START && len - 1 == want + 1)) return HTP_INVALID_LENGTH;
    req->opcode = data[0];
    if (data[0] == HTP_OP_START) {
        req->odr_dhz = get_u16(data + 1);
        req->range_g = data[3];
        req->max_batch = data[4];
        req->max_latency_ms = get_u16(data + 5);
        req->fmt = len == 8 ? data[7] : (uint8_t)HTP_FMT_ACC;
        if (req->odr_dhz == 0) return HTP_INVALID_SAMPLE_RATE;
        if (!valid_range(req->range_g)) return HTP_INVALID_RANGE;
        if (!valid_fmt(req->fmt)) return HTP_INVALID_PARAMETER;
    } else if (data[0] == HTP_OP_TIME_SYNC) {
        for (i = 8; i > 0; i--) u = (u << 8) | data[i];
        req->host_unix_us = (u > (uint64_t)INT64_MAX) ? -(int64_t)(~u) - 1 : (int64_t)u;
    }
    return HTP_SUCCESS;
}

size_t htp_build_response(uint8_t *out, size_t cap, uint8_t opcode, uint8_t status, const uint8_t *params,
                          size_t n_params) {
    size_t i;
    if (cap < 3 + n_params) return 0;
    out[0] = (uint8_t)HTP_RESPONSE_CODE;
    out[1] = opcode;
    out[2] = status;
    for (i = 0; i < n_params; i++) out[3 + i] = params[i];
    return 3 + n_params;
}

size_t htp_build_start_params(uint8_t *out, size_t cap, uint16_t odr_dhz, uint8_t range_g, uint8_t fmt) {
    size_t n = fmt == HTP_FMT_ACC ? 3u : 4u;
    if (cap < n) return 0;
    put_u16(out, odr_dhz);
    out[2] = range_g;
    if (n == 4) out[3] = fmt;
    return n;
}

size_t htp_build_status_params(uint8_t *out, size_t cap, uint8_t streaming, uint32_t overflow, uint16_t seq_next) {
    if (cap < 7) return 0;
    out[0] = streaming;
    put_u32(out + 1, overflow);
    put_u16(out + 5, seq_next);
    return 7;
}

/* One TLV entry of n values of `size` bytes (1 or 2), read from u8 or u16 arrays. */
static size_t tlv(uint8_t *out, size_t cap, size_t at, uint8_t type, const uint8_t *v8, const uint16_t *v16,
                  size_t n, size_t size) {
    size_t i;
    if (n > 255 || at + 2 + n * size > cap) return 0;
    out[at] = type;
    out[at + 1] = (uint8_t)n;
    for (i = 0; i < n; i++) {
        if (size == 1) out[at + 2 + i] = v8[i];
        else put_u16(out + at + 2 + 2 * i, v16[i]);
    }
    return at + 2 + n * size;
}

size_t htp_build_features(uint8_t *out, size_t cap, const uint16_t *odr_dhz, size_t n_odr, const uint8_t *ranges_g,
                          size_t n_ranges, const uint8_t *fmts, size_t n_fmts, uint16_t clock_res_us,
                          uint8_t max_batch, const uint16_t *gyro_dps, size_t n_gyro) {
    const uint8_t version = (uint8_t)HTP_VERSION;
    size_t at = 0;
    if (!(at = tlv(out, cap, at, 0x00, 0, odr_dhz, n_odr, 2))) return 0;
    if (!(at = tlv(out, cap, at, 0x01, ranges_g, 0, n_ranges, 1))) return 0;
    if (!(at = tlv(out, cap, at, 0x02, fmts, 0, n_fmts, 1))) return 0;
    if (!(at = tlv(out, cap, at, 0x03, &version, 0, 1, 1))) return 0;
    if (!(at = tlv(out, cap, at, 0x04, 0, &clock_res_us, 1, 2))) return 0;
    if (!(at = tlv(out, cap, at, 0x05, &max_batch, 0, 1, 1))) return 0;
    if (n_gyro > 0 && !(at = tlv(out, cap, at, 0x06, 0, gyro_dps, n_gyro, 2))) return 0;
    return at;
}

void htp_batcher_set_mtu(htp_batcher_t *b, uint16_t mtu) {
    size_t fit = htp_max_samples(mtu, b->fmt);
    if (fit == 0) fit = 1;
    if (b->n_max > fit) b->n_max = (uint8_t)fit;
}

static uint8_t gyro_code_of(uint16_t dps) {
    switch (dps) {
    case 125: return HTP_GYRO_125DPS;
    case 250: return HTP_GYRO_250DPS;
    case 500: return HTP_GYRO_500DPS;
    case 1000: return HTP_GYRO_1000DPS;
    default: return HTP_GYRO_2000DPS;
    }
}

static uint16_t snap_odr(const htp_caps_t *c, uint16_t want) {
    size_t i;
    uint16_t best = c->odr_dhz[0];
    for (i = 1; i < c->n_odr; i++) {
        uint16_t d_new = (uint16_t)(c->odr_dhz[i] > want ? c->odr_dhz[i] - want : want - c->odr_dhz[i]);
        uint16_t d_best = (uint16_t)(best > want ? best - want : want - best);
        if (d_new < d_best) best = c->odr_dhz[i];
    }
    return best;
}

static uint8_t snap_range(const htp_caps_t *c, uint8_t want) {
    size_t i;
    for (i = 0; i < c->n_ranges; i++)
        if (c->ranges_g[i] >= want) return c->ranges_g[i];
    return c->ranges_g[c->n_ranges - 1];
}

static void configure(htp_device_t *d, uint16_t odr, uint8_t range, uint8_t fmt, uint8_t max_batch,
                      uint16_t latency_ms) {
    uint16_t seq = d->batcher.seq;
    uint32_t overflow = d->batcher.overflow_samples;
    d->max_batch = max_batch;
    htp_batcher_init(&d->batcher, odr, range, fmt, max_batch, latency_ms, seq);
    d->batcher.overflow_samples = overflow;
    htp_batcher_set_mtu(&d->batcher, d->mtu);
}

void htp_device_init(htp_device_t *d, const htp_caps_t *caps) {
    d->caps = caps;
    d->streaming = 0;
    d->mtu = 23;
    d->batcher.seq = 0;
    d->batcher.overflow_samples = 0;
    configure(d, snap_odr(caps, 1000), snap_range(caps, 8), (uint8_t)HTP_FMT_ACC, 0, 100);
}

void htp_device_set_mtu(htp_device_t *d, uint16_t mtu) {
    d->mtu = mtu;
    configure(d, d->batcher.odr_dhz, d->batcher.range_g, d->batcher.fmt, d->max_batch,
              (uint16_t)(d->batcher.max_latency_us / 1000u));
}

int htp_device_subscribe(htp_device_t *d, int on) {
    if ((on != 0) == (d->streaming != 0)) return HTP_ACTION_NONE;
    d->streaming = (uint8_t)(on != 0);
    return on ? HTP_ACTION_START : HTP_ACTION_STOP;
}

int htp_device_control(htp_device_t *d, const uint8_t *req, size_t len, uint32_t now_us, uint8_t *resp, size_t cap,
                       size_t *resp_len) {
    htp_request_t r;
    uint8_t params[64];
    size_t n = 0;
    int action = HTP_ACTION_NONE;
    uint8_t status = htp_parse_request(req, len, &r);
    uint8_t op = len > 0 ? req[0] : 0;
    const htp_caps_t *c = d->caps;
    if (status == HTP_SUCCESS) {
        switch (r.opcode) {
        case HTP_OP_GET_CAPS: {
            uint8_t fmts[2];
            uint16_t gyro = c->gyro_dps;
            fmts[0] = (uint8_t)HTP_FMT_ACC;
            fmts[1] = (uint8_t)(HTP_FMT_ACC_GYRO | (gyro_code_of(gyro) << 4));
            n = htp_build_features(params, sizeof params, c->odr_dhz, c->n_odr, c->ranges_g, c->n_ranges, fmts,
                                   gyro ? 2u : 1u, c->clock_res_us, (uint8_t)htp_max_samples(247, HTP_FMT_ACC),
                                   &gyro, gyro ? 1u : 0u);
            if (n == 0) status = HTP_INVALID_STATE;
            break;
        }
        case HTP_OP_START: {
            uint8_t fmt = (uint8_t)HTP_FMT_ACC;
            if ((r.fmt & 0x0Fu) == HTP_FMT_ACC_GYRO) {
                if (c->gyro_dps == 0) {
                    status = HTP_NOT_SUPPORTED;
                    break;
                }
                fmt = (uint8_t)(HTP_FMT_ACC_GYRO | (gyro_code_of(c->gyro_dps) << 4));
            }
            configure(d, snap_odr(c, r.odr_dhz), snap_range(c, r.range_g), fmt, r.max_batch,
                      r.max_latency_ms ? r.max_latency_ms : 100);
            d->streaming = 1;
            action = HTP_ACTION_START;
            n = htp_build_start_params(params, sizeof params, d->batcher.odr_dhz, d->batcher.range_g, fmt);
            break;
        }
        case HTP_OP_STOP:
            if (!d->streaming) {
                status = HTP_ALREADY_IN_STATE;
                break;
            }
            d->streaming = 0;
            action = HTP_ACTION_STOP;
            break;
        case HTP_OP_TIME_SYNC:
            put_u32(params, now_us);
            n = 4;
            break;
        case HTP_OP_GET_STATUS:
            n = htp_build_status_params(params, sizeof params, d->streaming, d->batcher.overflow_samples, d->batcher.seq);
            break;
        default:
            status = HTP_INVALID_OP_CODE;
        }
    }
    if (status != HTP_SUCCESS) n = 0;
    *resp_len = htp_build_response(resp, cap, op, status, params, n);
    return action;
}

size_t htp_batcher_sizeof(void) { return sizeof(htp_batcher_t); }

size_t htp_device_sizeof(void) { return sizeof(htp_device_t); }
