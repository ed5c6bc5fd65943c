/*
 * holdtrack reference firmware: ESP32 + MPU-6050 (GY-521 board), NimBLE-Arduino 2.x, HTP v1.
 *
 * Wiring: MPU-6050 VCC 3V3, GND, SDA GPIO 21, SCL GPIO 22 (ESP32 DevKit defaults; change IMU_SDA/SCL).
 * Build: see firmware_notes/README.md (Arduino core for ESP32 >= 3.0, NimBLE-Arduino >= 2.1, and
 * firmware_notes/common as the library "holdtrack_htp").
 *
 * Samples are read when the MPU-6050 reports data ready (INT_STATUS polled over I2C), stamped with
 * micros(), buffered by the batcher in htp_packet.c and notified when a batch is full or 100 ms old.
 * Untested on hardware in CI: the packet, batch and control-point logic is the tested C file.
 * License: MIT.
 */
#include <Arduino.h>
#include <NimBLEDevice.h>
#include <Wire.h>

#include "htp_packet.h"

#define IMU_SDA 21
#define IMU_SCL 22
#define MPU_ADDR 0x68

static const char *SERVICE_UUID = "0f170001-34bd-42fe-a79a-2bbaadc70ace";
static const char *DATA_UUID = "0f170002-34bd-42fe-a79a-2bbaadc70ace";
static const char *CONTROL_UUID = "0f170003-34bd-42fe-a79a-2bbaadc70ace";
static const char *FEATURES_UUID = "0f170004-34bd-42fe-a79a-2bbaadc70ace";

/* MPU-6050: ODR = 1 kHz / (1 + SMPLRT_DIV) with the DLPF on. Offered rates, 0.1 Hz. */
static const uint16_t ODR_DHZ[] = {250, 500, 1000, 2000};
static const uint8_t RANGES_G[] = {2, 4, 8, 16};
static const htp_caps_t CAPS = {ODR_DHZ, 4, RANGES_G, 4, 2000, 1};

static htp_device_t dev;
static NimBLECharacteristic *dataChr, *controlChr;
static portMUX_TYPE devLock = portMUX_INITIALIZER_UNLOCKED; /* BLE callbacks run on another task */
static volatile bool imuDirty = true;                       /* settings changed: reprogram the IMU */
static uint8_t packet[256];
static size_t pendingLen = 0; /* a packet the stack refused, to retry */
static uint8_t response[80];  /* control-point answer, indicated from loop() */
static volatile size_t responseLen = 0;

/* ---------------------------------------------------------------- MPU-6050 */
static void mpuWrite(uint8_t reg, uint8_t val) {
  Wire.beginTransmission(MPU_ADDR);
  Wire.write(reg);
  Wire.write(val);
  Wire.endTransmission();
}

static bool mpuRead(uint8_t reg, uint8_t *buf, size_t n) {
  Wire.beginTransmission(MPU_ADDR);
  Wire.write(reg);
  if (Wire.endTransmission(false) != 0) return false;
  if (Wire.requestFrom((uint8_t)MPU_ADDR, (uint8_t)n) != n) return false;
  for (size_t i = 0; i < n; i++) buf[i] = Wire.read();
  return true;
}

static void mpuConfigure(uint16_t odr_dhz, uint8_t range_g) {
  uint8_t afs = range_g == 2 ? 0 : range_g == 4 ? 1 : range_g == 8 ? 2 : 3;
  mpuWrite(0x6B, 0x01);                                 /* PWR_MGMT_1: wake, PLL with gyro X clock */
  mpuWrite(0x1A, odr_dhz >= 2000 ? 0x02 : 0x03);        /* CONFIG: DLPF 94 Hz at 200 Hz, else 44 Hz */
  mpuWrite(0x19, (uint8_t)(10000u / odr_dhz - 1u));     /* SMPLRT_DIV: 1 kHz / (1 + div) */
  mpuWrite(0x1B, 3 << 3);                               /* GYRO_CONFIG: ±2000 °/s (16.4 LSB/°/s) */
  mpuWrite(0x1C, (uint8_t)(afs << 3));                  /* ACCEL_CONFIG: ±range_g (32768/range LSB/g) */
  mpuWrite(0x38, 0x01);                                 /* INT_ENABLE: data ready */
}

/* One sample if the IMU has a new one. MPU-6050 registers are big-endian. */
static bool mpuSample(htp_sample_t *s) {
  uint8_t st, b[14];
  if (!mpuRead(0x3A, &st, 1) || !(st & 0x01)) return false; /* INT_STATUS.DATA_RDY */
  s->t_us = micros();
  if (!mpuRead(0x3B, b, 14)) return false;
  for (int k = 0; k < 3; k++) {
    s->acc[k] = (int16_t)((b[2 * k] << 8) | b[2 * k + 1]);
    s->gyro[k] = (int16_t)((b[8 + 2 * k] << 8) | b[9 + 2 * k]); /* 16.4 LSB/°/s ≈ HTP's 16.384 */
  }
  return true;
}

/* ---------------------------------------------------------------- BLE callbacks */
class ServerCallbacks : public NimBLEServerCallbacks {
  void onConnect(NimBLEServer *server, NimBLEConnInfo &info) override {
    server->updateConnParams(info.getConnHandle(), 12, 24, 0, 400); /* 15-30 ms, 4 s timeout */
  }
  void onDisconnect(NimBLEServer *, NimBLEConnInfo &, int) override {
    portENTER_CRITICAL(&devLock);
    htp_device_subscribe(&dev, 0);
    htp_device_set_mtu(&dev, 23);
    portEXIT_CRITICAL(&devLock);
    pendingLen = 0;
    NimBLEDevice::startAdvertising();
  }
  void onMTUChange(uint16_t mtu, NimBLEConnInfo &) override {
    portENTER_CRITICAL(&devLock);
    htp_device_set_mtu(&dev, mtu);
    portEXIT_CRITICAL(&devLock);
  }
};

class ControlCallbacks : public NimBLECharacteristicCallbacks {
  void onWrite(NimBLECharacteristic *chr, NimBLEConnInfo &) override {
    NimBLEAttValue v = chr->getValue();
    size_t n = 0;
    portENTER_CRITICAL(&devLock);
    int action = htp_device_control(&dev, v.data(), v.length(), micros(), response, sizeof response, &n);
    portEXIT_CRITICAL(&devLock);
    if (action == HTP_ACTION_START) imuDirty = true;
    responseLen = n;
  }
};

class DataCallbacks : public NimBLECharacteristicCallbacks {
  void onSubscribe(NimBLECharacteristic *, NimBLEConnInfo &, uint16_t sub) override {
    portENTER_CRITICAL(&devLock);
    int action = htp_device_subscribe(&dev, sub & 1);
    portEXIT_CRITICAL(&devLock);
    if (action == HTP_ACTION_START) imuDirty = true;
  }
};

static ServerCallbacks serverCallbacks;
static ControlCallbacks controlCallbacks;
static DataCallbacks dataCallbacks;

void setup() {
  Serial.begin(115200);
  Wire.begin(IMU_SDA, IMU_SCL, 400000);
  htp_device_init(&dev, &CAPS);
  mpuConfigure(dev.batcher.odr_dhz, dev.batcher.range_g);

  NimBLEDevice::init("HoldTrack-ESP32");
  NimBLEDevice::setMTU(247);
  NimBLEServer *server = NimBLEDevice::createServer();
  server->setCallbacks(&serverCallbacks);

  NimBLEService *svc = server->createService(SERVICE_UUID);
  dataChr = svc->createCharacteristic(DATA_UUID, NIMBLE_PROPERTY::NOTIFY);
  dataChr->setCallbacks(&dataCallbacks);
  controlChr = svc->createCharacteristic(CONTROL_UUID, NIMBLE_PROPERTY::WRITE | NIMBLE_PROPERTY::INDICATE);
  controlChr->setCallbacks(&controlCallbacks);
  NimBLECharacteristic *features = svc->createCharacteristic(FEATURES_UUID, NIMBLE_PROPERTY::READ);
  {
    uint8_t fmts[2] = {HTP_FMT_ACC, HTP_FMT_ACC_GYRO}; /* gyro at ±2000 °/s: code 0 */
    uint16_t gyro = 2000;
    uint8_t tlv[64];
    size_t n = htp_build_features(tlv, sizeof tlv, ODR_DHZ, 4, RANGES_G, 4, fmts, 2, 1, 38, &gyro, 1);
    features->setValue(tlv, n);
  }
  svc->start();

  NimBLEService *dis = server->createService("180A");
  dis->createCharacteristic("2A29", NIMBLE_PROPERTY::READ)->setValue("holdtrack");
  dis->createCharacteristic("2A24", NIMBLE_PROPERTY::READ)->setValue("ESP32 + MPU-6050");
  dis->createCharacteristic("2A26", NIMBLE_PROPERTY::READ)->setValue("htp-1.0.0");
  dis->start();
  NimBLEService *bas = server->createService("180F");
  uint8_t battery = 100; /* wire a divider to an ADC pin to report a real level */
  bas->createCharacteristic("2A19", NIMBLE_PROPERTY::READ | NIMBLE_PROPERTY::NOTIFY)->setValue(&battery, 1);
  bas->start();

  NimBLEAdvertising *adv = NimBLEDevice::getAdvertising();
  adv->addServiceUUID(SERVICE_UUID); /* 18 bytes of the 31 in the advertising packet */
  adv->setName("HoldTrack-ESP32");   /* goes to the scan response */
  adv->enableScanResponse(true);
  adv->start();
}

void loop() {
  if (responseLen) {
    controlChr->indicate(response, responseLen);
    responseLen = 0;
  }
  if (imuDirty) {
    imuDirty = false;
    mpuConfigure(dev.batcher.odr_dhz, dev.batcher.range_g);
  }
  htp_sample_t s;
  bool streaming = dev.streaming;
  if (mpuSample(&s) && streaming) {
    portENTER_CRITICAL(&devLock);
    htp_batcher_push(&dev.batcher, &s);
    portEXIT_CRITICAL(&devLock);
  }
  if (pendingLen == 0 && (streaming || dev.batcher.count)) {
    portENTER_CRITICAL(&devLock);
    pendingLen = streaming ? htp_batcher_poll(&dev.batcher, micros(), packet, sizeof packet)
                           : htp_batcher_flush(&dev.batcher, packet, sizeof packet); /* after STOP */
    portEXIT_CRITICAL(&devLock);
  }
  if (pendingLen) {
    /* notify() fails when the stack's buffers are full: keep the packet (same seq) and retry. */
    if (dataChr->notify(packet, pendingLen)) pendingLen = 0;
  }
  delayMicroseconds(200);
}
