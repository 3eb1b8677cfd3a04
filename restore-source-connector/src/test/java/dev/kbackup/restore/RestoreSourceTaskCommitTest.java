package dev.kbackup.restore;

import org.apache.kafka.common.utils.LogCaptureAppender;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Connect's offset commits can reach a source task while its start() still plans a large restore. */
class RestoreSourceTaskCommitTest {

    @Test
    void aCommitBeforeTheTaskHasStartedHasNothingToPersistAndWarnsOfNothing() {
        RestoreSourceTask task = new RestoreSourceTask();
        try (LogCaptureAppender logs = LogCaptureAppender.createAndRegister(RestoreSourceTask.class)) {
            task.commit();
            task.commit();

            assertEquals(java.util.List.of(), logs.getMessages("WARN"));
        }
    }
}
