package dev.kbackup.sink;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Asks the source cluster for the log end offsets of the task's partitions, at most once an interval and without
 * waiting for the answer, and hands them to {@link BackupLag}. Owns the admin client it is given.
 */
final class LogEndOffsets implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogEndOffsets.class);

    private final Admin admin;
    private final BackupLag lag;
    private final long intervalMillis;
    private long nextRequest;

    LogEndOffsets(Admin admin, BackupLag lag, long intervalMillis) {
        this.admin = admin;
        this.lag = lag;
        this.intervalMillis = intervalMillis;
    }

    /** Requests the end offsets of {@code partitions} if the last request is an interval old. */
    void refresh(Collection<TopicPartition> partitions, long now) {
        if (now < nextRequest || partitions.isEmpty()) {
            return;
        }
        nextRequest = now + intervalMillis;
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        admin.listOffsets(latest).all().whenComplete((offsets, error) -> {
            if (error != null) {
                log.debug("Could not read the log end offsets of {}; backup-lag covers delivered records only",
                        latest.keySet(), error);
                return;
            }
            offsets.forEach((partition, info) -> lag.logEnd(partition, info.offset()));
        });
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
