/*
 * holdtrack reference firmware: Seeed XIAO nRF52840 Sense (on-board LSM6DS3TR-C IMU), HTP v1.
 *
 * Board package: "Seeed nRF52 Boards" (the non-mbed core, Adafruit Bluefruit API), board
 * "Seeed XIAO nRF52840 Sense". Libraries: "Seeed Arduino LSM6DS3", and firmware_notes/common as the
 * library "holdtrack_htp". Build steps: firmware_notes/README.md (Arduino Nano 33 BLE: see the port
 * notes there; it needs ArduinoBLE instead of Bluefruit).
 *
 * The IMU is polled for data ready, each sample stamped with micros(), batched by htp_packet.c and
 * notified when a batch is full or 100 ms old. Control-point writes arrive on the Bluefruit task and
 * are answered from loop(). Untested on hardware in CI: the packet, batch and control-point logic is
 * the tested C file. License: MIT.
 */
#include <Arduino.h>
#include <LSM6DS3.h>
#include <Wire.h>
#include <bluefruit.h>

#include "htp_packet.h"

/* 0f17xxxx-34bd-42fe-a79a-2bbaadc70ace, least significant byte first (Bluefruit's order) */
#define HTP_UUID(slot) {0xCE, 0x0A, 0xC7, 0xAD, 0xBA, 0x2B, 0x9A, 0xA7, 0xFE, 0x42, 0xBD, 0x34, slot, 0x00, 0x17, 0x0F}
static const uint8_t SERVICE_UUID[16] = HTP_UUID(0x01);
static const uint8_t DATA_UUID[16] = HTP_UUID(0x02);
static const uint8_t CONTROL_UUID[16] = HTP_UUID(0x03);
static const uint8_t FEATURES_UUID[16] = HTP_UUID(0x04);

/* LSM6DS3 output data rates (0.1 Hz) and ranges; gyro fixed at ±2000 °/s. */
static const uint16_t ODR_DHZ[] = {260, 520, 1040, 2080};
static const uint8_t RANGES_G[] = {2, 4, 8, 16};
static const htp_caps_t CAPS = {ODR_DHZ, 4, RANGES_G, 4, 2000, 1};
/* LSM6DS3 gyro at ±2000 °/s is 70 mdps/LSB; HTP's ±2000 code is 2000/32768 = 61.04 mdps/LSB. */
static const float GYRO_TO_HTP = 70.0f / (2000000.0f / 32768.0f);

LSM6DS3 imu(I2C_MODE, 0x6A);
BLEService htpService(SERVICE_UUID);
BLECharacteristic dataChr(DATA_UUID);
BLECharacteristic controlChr(CONTROL_UUID);
BLECharacteristic featuresChr(FEATURES_UUID);
BLEDis bledis;
BLEBas blebas;

static htp_device_t dev;
static SemaphoreHandle_t devLock;
static volatile bool imuDirty = true;
static volatile uint16_t connHandle = BLE_CONN_HANDLE_INVALID;
static uint8_t packet[256];
static size_t pendingLen = 0;
static uint8_t response[80];
static volatile size_t responseLen = 0;
static uint16_t knownMtu = 23;

/* ---------------------------------------------------------------- IMU */
static void imuConfigure(uint16_t odr_dhz, uint8_t range_g) {
  imu.settings.accelRange = range_g;
  imu.settings.accelSampleRate = odr_dhz / 10; /* 26, 52, 104, 208 */
  imu.settings.gyroRange = 2000;
  imu.settings.gyroSampleRate = odr_dhz / 10;
  imu.begin(); /* re-applies the settings */
}

static bool imuSample(htp_sample_t *s) {
  uint8_t st = 0;
  if (imu.readRegister(&st, LSM6DS3_ACC_GYRO_STATUS_REG) != IMU_SUCCESS || !(st & 0x01)) return false; /* XLDA */
  s->t_us = micros();
  /* LSM6DS3 accelerometer: 0.061 mg/LSB x range/2, exactly HTP's range/32768 g per count. */
  s->acc[0] = imu.readRawAccelX();
  s->acc[1] = imu.readRawAccelY();
  s->acc[2] = imu.readRawAccelZ();
  int16_t g[3] = {imu.readRawGyroX(), imu.readRawGyroY(), imu.readRawGyroZ()};
  for (int k = 0; k < 3; k++) {
    float v = g[k] * GYRO_TO_HTP;
    s->gyro[k] = (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : lroundf(v));
  }
  return true;
}

/* ---------------------------------------------------------------- BLE callbacks (Bluefruit task) */
static void onConnect(uint16_t conn) {
  connHandle = conn;
  BLEConnection *c = Bluefruit.Connection(conn);
  c->requestMtuExchange(247);
  c->requestDataLengthUpdate();
  c->requestPHY();
}

static void onDisconnect(uint16_t, uint8_t) {
  connHandle = BLE_CONN_HANDLE_INVALID;
  xSemaphoreTake(devLock, portMAX_DELAY);
  htp_device_subscribe(&dev, 0);
  htp_device_set_mtu(&dev, 23);
  xSemaphoreGive(devLock);
  knownMtu = 23;
  pendingLen = 0;
}

static void onControlWrite(uint16_t, BLECharacteristic *, uint8_t *data, uint16_t len) {
  size_t n = 0;
  xSemaphoreTake(devLock, portMAX_DELAY);
  int action = htp_device_control(&dev, data, len, micros(), response, sizeof response, &n);
  xSemaphoreGive(devLock);
  if (action == HTP_ACTION_START) imuDirty = true;
  responseLen = n;
}

static void onCccdWrite(uint16_t conn, BLECharacteristic *chr, uint16_t) {
  if (chr->uuid != dataChr.uuid) return;
  xSemaphoreTake(devLock, portMAX_DELAY);
  int action = htp_device_subscribe(&dev, chr->notifyEnabled(conn));
  xSemaphoreGive(devLock);
  if (action == HTP_ACTION_START) imuDirty = true;
}

void setup() {
  Serial.begin(115200);
  devLock = xSemaphoreCreateMutex();
#ifdef PIN_LSM6DS3TR_C_POWER
  pinMode(PIN_LSM6DS3TR_C_POWER, OUTPUT); /* the Sense board powers its IMU from a GPIO */
  digitalWrite(PIN_LSM6DS3TR_C_POWER, HIGH);
  delay(50);
#endif
  htp_device_init(&dev, &CAPS);
  imuConfigure(dev.batcher.odr_dhz, dev.batcher.range_g);

  Bluefruit.configPrphBandwidth(BANDWIDTH_MAX); /* MTU 247 and large buffers; before begin() */
  Bluefruit.begin();
  Bluefruit.setName("HoldTrack-XIAO");
  Bluefruit.Periph.setConnectCallback(onConnect);
  Bluefruit.Periph.setDisconnectCallback(onDisconnect);
  Bluefruit.Periph.setConnInterval(12, 24); /* 15-30 ms */

  bledis.setManufacturer("holdtrack");
  bledis.setModel("XIAO nRF52840 Sense");
  bledis.setFirmwareRev("htp-1.0.0");
  bledis.begin();
  blebas.begin();
  blebas.write(100); /* read the battery divider (PIN_VBAT) to report a real level */

  htpService.begin();
  dataChr.setProperties(CHR_PROPS_NOTIFY);
  dataChr.setPermission(SECMODE_OPEN, SECMODE_NO_ACCESS);
  dataChr.setMaxLen(244);
  dataChr.setCccdWriteCallback(onCccdWrite);
  dataChr.begin();
  controlChr.setProperties(CHR_PROPS_WRITE | CHR_PROPS_INDICATE);
  controlChr.setPermission(SECMODE_OPEN, SECMODE_OPEN);
  controlChr.setMaxLen(20);
  controlChr.setWriteCallback(onControlWrite);
  controlChr.begin();
  featuresChr.setProperties(CHR_PROPS_READ);
  featuresChr.setPermission(SECMODE_OPEN, SECMODE_NO_ACCESS);
  featuresChr.setMaxLen(64);
  featuresChr.begin();
  {
    uint8_t fmts[2] = {HTP_FMT_ACC, HTP_FMT_ACC_GYRO};
    uint16_t gyro = 2000;
    uint8_t tlv[64];
    size_t n = htp_build_features(tlv, sizeof tlv, ODR_DHZ, 4, RANGES_G, 4, fmts, 2, 1, 38, &gyro, 1);
    featuresChr.write(tlv, n);
  }

  Bluefruit.Advertising.addFlags(BLE_GAP_ADV_FLAGS_LE_ONLY_GENERAL_DISC_MODE);
  Bluefruit.Advertising.addService(htpService); /* 128-bit UUID in the advertising packet */
  Bluefruit.ScanResponse.addName();             /* name in the scan response */
  Bluefruit.Advertising.restartOnDisconnect(true);
  Bluefruit.Advertising.setInterval(32, 244);
  Bluefruit.Advertising.start(0);
}

void loop() {
  uint16_t conn = connHandle;
  if (conn != BLE_CONN_HANDLE_INVALID) {
    uint16_t mtu = Bluefruit.Connection(conn)->getMtu(); /* the exchange completes after connect */
    if (mtu != knownMtu) {
      knownMtu = mtu;
      xSemaphoreTake(devLock, portMAX_DELAY);
      htp_device_set_mtu(&dev, mtu);
      xSemaphoreGive(devLock);
    }
    if (responseLen) {
      controlChr.indicate(conn, response, responseLen);
      responseLen = 0;
    }
  }
  if (imuDirty) {
    imuDirty = false;
    imuConfigure(dev.batcher.odr_dhz, dev.batcher.range_g);
  }
  htp_sample_t s;
  bool streaming = dev.streaming;
  xSemaphoreTake(devLock, portMAX_DELAY);
  if (imuSample(&s) && streaming) htp_batcher_push(&dev.batcher, &s);
  if (pendingLen == 0 && (streaming || dev.batcher.count))
    pendingLen = streaming ? htp_batcher_poll(&dev.batcher, micros(), packet, sizeof packet)
                           : htp_batcher_flush(&dev.batcher, packet, sizeof packet);
  xSemaphoreGive(devLock);
  /* notify() returns false when the SoftDevice queue is full: keep the packet (same seq), retry. */
  if (pendingLen && conn != BLE_CONN_HANDLE_INVALID && dataChr.notify(conn, packet, pendingLen)) pendingLen = 0;
  delayMicroseconds(200);
}
