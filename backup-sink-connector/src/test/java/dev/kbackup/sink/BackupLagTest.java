package dev.kbackup.sink;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BackupLagTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);

    @Test
    void lagIsWhatKafkaHoldsBeyondTheLastOffsetInACompleteSegment() {
        BackupLag lag = new BackupLag();
        assertEquals(0, lag.lag(ORDERS_0, 99), "nothing known about Kafka's side: nothing owed");

        lag.delivered(ORDERS_0, 149);
        assertEquals(50, lag.lag(ORDERS_0, 99), "delivered up to 149, stored up to 99");

        lag.logEnd(ORDERS_0, 1000);
        assertEquals(900, lag.lag(ORDERS_0, 99), "the log holds up to 999, delivered or not");
        assertEquals(0, lag.lag(ORDERS_0, 999), "everything the log holds is stored");

        lag.delivered(ORDERS_0, 1200);
        assertEquals(201, lag.lag(ORDERS_0, 999), "a delivery newer than the last end offset read counts");
    }

    @Test
    void aPartitionWithNothingStoredOwesEverythingTheLogHolds() {
        BackupLag lag = new BackupLag();
        lag.logEnd(ORDERS_0, 10);
        assertEquals(10, lag.lag(ORDERS_0, -1));
        lag.forget(ORDERS_0);
        assertEquals(0, lag.lag(ORDERS_0, -1), "a partition that left the task is forgotten");
    }
}
