/**
 * The ADX table every region's telemetry lands in, one row per device message, keyed by the tenant IoT Hub
 * stamped on it at the gateway. The data plane fills it; rollups, exports and tiers read it. Kept in one leaf
 * file so that producers and readers agree on names without importing each other.
 */
export const TELEMETRY_TABLE = "Telemetry";

/** Column names of `TELEMETRY_TABLE`. */
export const TELEMETRY_COLUMNS = {
    /** The tenant from the device twin's `tags.tenant`: IoT Hub names the tenant's ingestion mapping, which writes it (lib/adxTenancy.ts). */
    tenantId: "TenantId",
    /** The IoT Hub device id, which IoT Hub uses as the event's partition key (`x-opt-partition-key`). */
    deviceId: "DeviceId",
    /** When the telemetry hub enqueued the message IoT Hub routed to it (`x-opt-enqueued-time`), UTC. */
    enqueuedTime: "EnqueuedTime",
    /** The device's JSON payload, as sent. */
    body: "Body",
} as const;

/** The table's schema in Kusto's `.create table` syntax. */
export const TELEMETRY_TABLE_SCHEMA = `${TELEMETRY_COLUMNS.tenantId}: string, ${TELEMETRY_COLUMNS.deviceId}: string, ${TELEMETRY_COLUMNS.enqueuedTime}: datetime, ${TELEMETRY_COLUMNS.body}: dynamic`;
