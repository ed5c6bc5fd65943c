/*
 * htp_packet.h - holdtrack GATT profile (HTP v1) for firmware: data packet encoder, sample batcher,
 * control-point request parser and response/features builders.
 *
 * Portable C99, no dynamic allocation, no platform calls: the caller passes time in (a free-running
 * microsecond counter such as Arduino micros(), which wraps at 2^32 like the packet field).
 * Normative description: firmware_notes/profile.md. Kept honest by tests/protocol/test_c_encoder.py,
 * which compiles this file and decodes its output with holdtrack.protocol.htp.
 *
 * License: MIT (same as holdtrack).
 */
#ifndef HTP_PACKET_H
#define HTP_PACKET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HTP_VERSION 1u
#define HTP_FMT_ACC 0x01u      /* n x (ax, ay, az) int16 */
#define HTP_FMT_ACC_GYRO 0x02u /* n x (ax, ay, az, gx, gy, gz) int16; high nibble = gyro range code */
#define HTP_HEADER_BYTES 12u
#define HTP_MAX_SAMPLES 255u
#define HTP_RESPONSE_CODE 0xF0u

#ifndef HTP_RING_CAPACITY
#define HTP_RING_CAPACITY 128u /* samples buffered between notifications (power of two not required) */
#endif

/* Gyro range codes (high nibble of fmt for HTP_FMT_ACC_GYRO): 0 = ±2000 dps, 1 = ±125, 2 = ±250,
 * 3 = ±500, 4 = ±1000. */
#define HTP_GYRO_2000DPS 0u
#define HTP_GYRO_125DPS 1u
#define HTP_GYRO_250DPS 2u
#define HTP_GYRO_500DPS 3u
#define HTP_GYRO_1000DPS 4u

/* Control-point opcodes and status codes (Polar PMD numbering). */
enum htp_opcode { HTP_OP_GET_CAPS = 1, HTP_OP_START = 2, HTP_OP_STOP = 3, HTP_OP_TIME_SYNC = 4, HTP_OP_GET_STATUS = 5 };
enum htp_status {
    HTP_SUCCESS = 0, HTP_INVALID_OP_CODE = 1, HTP_NOT_SUPPORTED = 3, HTP_INVALID_LENGTH = 4,
    HTP_INVALID_PARAMETER = 5, HTP_ALREADY_IN_STATE = 6, HTP_INVALID_SAMPLE_RATE = 8, HTP_INVALID_RANGE = 9,
    HTP_INVALID_MTU = 10, HTP_INVALID_STATE = 12
};

/* One IMU reading in raw counts, stamped with the device clock (µs) when it was sampled. */
typedef struct {
    int16_t acc[3];
    int16_t gyro[3]; /* ignored for HTP_FMT_ACC */
    uint32_t t_us;
} htp_sample_t;

/* Samples of format `fmt` that fit one notification at ATT MTU `mtu` (payload mtu - 3), <= 255. */
size_t htp_max_samples(uint16_t mtu, uint8_t fmt);

/* Bytes of a packet of n samples in format `fmt` (0 for an unknown format). */
size_t htp_packet_size(uint8_t fmt, size_t n);

/* Write one data packet into out[0..cap). `fmt` is the full format byte (e.g. 0x01, 0x02, 0x32).
 * Returns the packet length, or 0 if n is 0 or > 255, the format is unknown, or cap is too small. */
size_t htp_encode_packet(uint8_t *out, size_t cap, uint16_t seq, uint32_t t0_us, uint16_t odr_dhz,
                         uint8_t range_g, uint8_t fmt, const htp_sample_t *samples, size_t n);

/* Ring buffer + batcher: push samples as they come, poll to get a packet when one is due
 * (n_max samples buffered, or the oldest buffered sample is max_latency_us old). */
typedef struct {
    htp_sample_t ring[HTP_RING_CAPACITY];
    size_t head;  /* index of the oldest sample */
    size_t count; /* samples buffered */
    uint16_t seq; /* seq of the next packet */
    uint16_t odr_dhz;
    uint8_t range_g;
    uint8_t fmt;
    uint8_t n_max;
    uint32_t max_latency_us;
    uint32_t overflow_samples; /* samples dropped because the ring was full */
} htp_batcher_t;

/* n_max is clamped to 1..min(255, HTP_RING_CAPACITY); 0 means as many as fit at MTU 247. */
void htp_batcher_init(htp_batcher_t *b, uint16_t odr_dhz, uint8_t range_g, uint8_t fmt, uint8_t n_max,
                      uint16_t max_latency_ms, uint16_t first_seq);

/* Buffer one sample. Returns 1, or 0 if the ring was full (sample dropped, overflow_samples + 1). */
int htp_batcher_push(htp_batcher_t *b, const htp_sample_t *s);

/* If a packet is due at device time now_us, write it (oldest samples first, seq + 1) and return its
 * length; else return 0. Call after each push and from a timer. If the transport refuses the
 * packet (buffer full), call htp_batcher_unpoll() to put its samples back. */
size_t htp_batcher_poll(htp_batcher_t *b, uint32_t now_us, uint8_t *out, size_t cap);

/* Write whatever is buffered (e.g. on STOP), regardless of n_max and latency; 0 if empty. */
size_t htp_batcher_flush(htp_batcher_t *b, uint8_t *out, size_t cap);

/* Undo the last poll/flush that returned a packet of n samples (flow control: notify() failed). */
void htp_batcher_unpoll(htp_batcher_t *b, size_t n);

/* A parsed control-point request. Fields not carried by the opcode are left 0. */
typedef struct {
    uint8_t opcode;
    uint16_t odr_dhz;
    uint8_t range_g;
    uint8_t max_batch;
    uint16_t max_latency_ms;
    uint8_t fmt;
    int64_t host_unix_us;
} htp_request_t;

/* Parse a control-point write. Returns HTP_SUCCESS or the status code to answer with. */
uint8_t htp_parse_request(const uint8_t *data, size_t len, htp_request_t *req);

/* Response F0 op status params. Returns its length, or 0 if cap is too small. */
size_t htp_build_response(uint8_t *out, size_t cap, uint8_t opcode, uint8_t status, const uint8_t *params,
                          size_t n_params);

/* START answer params: u16 odr_dhz, u8 range_g, and u8 fmt unless it is 0x01 (3 or 4 bytes). */
size_t htp_build_start_params(uint8_t *out, size_t cap, uint16_t odr_dhz, uint8_t range_g, uint8_t fmt);

/* GET_STATUS answer params: u8 streaming, u32 fifo_overflow, u16 seq_next (7 bytes). */
size_t htp_build_status_params(uint8_t *out, size_t cap, uint8_t streaming, uint32_t overflow, uint16_t seq_next);

/* Features TLV (features characteristic and GET_CAPS params). Returns its length, 0 if cap too small. */
size_t htp_build_features(uint8_t *out, size_t cap, const uint16_t *odr_dhz, size_t n_odr, const uint8_t *ranges_g,
                          size_t n_ranges, const uint8_t *fmts, size_t n_fmts, uint16_t clock_res_us,
                          uint8_t max_batch, const uint16_t *gyro_dps, size_t n_gyro);

/* Clamp the batch size to what fits a notification at ATT MTU `mtu` (call on every MTU change). */
void htp_batcher_set_mtu(htp_batcher_t *b, uint16_t mtu);

/* ---- device side: a complete control-point handler ------------------------------------------- */

/* What the device supports. Arrays ascending; pointers must stay valid. */
typedef struct {
    const uint16_t *odr_dhz; /* supported output data rates, 0.1 Hz */
    size_t n_odr;
    const uint8_t *ranges_g; /* supported ±g */
    size_t n_ranges;
    uint16_t gyro_dps;       /* gyro full scale used for fmt 0x02, one of 125/250/500/1000/2000; 0 = no gyro */
    uint16_t clock_res_us;   /* resolution of the µs clock */
} htp_caps_t;

typedef struct {
    htp_batcher_t batcher;
    const htp_caps_t *caps;
    uint8_t streaming;
    uint8_t max_batch; /* as requested by START (0 = as many as fit) */
    uint16_t mtu;
} htp_device_t;

/* What the firmware must do with its IMU after a control-point write or a (un)subscription. */
enum htp_action { HTP_ACTION_NONE = 0, HTP_ACTION_START = 1, HTP_ACTION_STOP = 2 };

/* Defaults: the supported rate closest to 100 Hz, ±8 g (or the closest range), acc only, 100 ms. */
void htp_device_init(htp_device_t *d, const htp_caps_t *caps);

/* Handle one control-point write at device time now_us: writes the response (to indicate) into
 * resp[0..cap), its length into *resp_len, and returns the htp_action. START snaps the rate to the
 * nearest supported one and the range to the smallest supported >= the request (else the largest),
 * re-initialises the batcher (buffered samples are dropped; seq continues) and starts streaming.
 * Read the settings in force from d->batcher (odr_dhz, range_g, fmt). */
int htp_device_control(htp_device_t *d, const uint8_t *req, size_t len, uint32_t now_us, uint8_t *resp, size_t cap,
                       size_t *resp_len);

/* The client enabled (on = 1) or disabled notifications on Data: start/stop with the current settings. */
int htp_device_subscribe(htp_device_t *d, int on);

/* The ATT MTU changed. */
void htp_device_set_mtu(htp_device_t *d, uint16_t mtu);

/* Sizes of the structs (for foreign-function tests). */
size_t htp_batcher_sizeof(void);
size_t htp_device_sizeof(void);

#ifdef __cplusplus
}
#endif
#endif /* HTP_PACKET_H */
