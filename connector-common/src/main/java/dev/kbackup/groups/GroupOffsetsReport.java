package dev.kbackup.groups;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.List;

/**
 * What one task did with the consumer groups' offsets, stored at
 * {@code {backup.id}/restores/{connector}/group-offsets-task-{n}.json}: the snapshot it translated, the mode, and per
 * group its status (PLANNED, APPLIED, SKIPPED_ACTIVE_MEMBERS with the members, FAILED) and per partition the original
 * offset, the target offset and how it was derived.
 */
@JsonPropertyOrder({"backupId", "connector", "task", "mode", "snapshotKey", "snapshotTakenAt", "writtenAt", "groups"})
public record GroupOffsetsReport(String backupId, String connector, int task, String mode, String snapshotKey,
                          Instant snapshotTakenAt, Instant writtenAt, List<GroupOffsetPlan.GroupPlan> groups) {

    public GroupOffsetsReport {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }
}
