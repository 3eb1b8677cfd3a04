package dev.kbackup.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GuardedObjectStoreTest {

    @TempDir
    Path dir;

    /** Down for every request that reaches it; starting an upload or a listing reaches nothing yet. */
    private final class DownStore extends ForwardingObjectStore {
        DownStore() {
            super(new FilesystemObjectStore(dir));
        }

        @Override
        public void put(String key, byte[] bytes, WriteMode mode) {
            throw new StorageException("PutObject of '" + key + "' failed: 503", null);
        }

        @Override
        public Iterator<ObjectInfo> list(String prefix, String startAfter) {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    throw new StorageException("ListObjectsV2 of '" + prefix + "' failed: 503", null);
                }

                @Override
                public ObjectInfo next() {
                    throw new StorageException("ListObjectsV2 of '" + prefix + "' failed: 503", null);
                }
            };
        }
    }

    @Test
    void listingsThatFailOnTheirFirstPageOpenTheBreaker() {
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofMinutes(1));
        try (GuardedObjectStore store = new GuardedObjectStore(new DownStore(), breaker)) {
            for (int i = 0; i < 3; i++) {
                Iterator<ObjectInfo> listing = store.list("b1/index/", null);
                assertThrows(StorageException.class, listing::hasNext);
            }
            assertEquals(CircuitBreaker.State.OPEN, breaker.state(), "creating a listing is not a success");
            assertThrows(StorageUnavailableException.class, () -> store.list("b1/index/", null));
        }
    }

    @Test
    void startingUploadsBetweenFailedWritesDoesNotKeepTheBreakerClosed() {
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofMinutes(1));
        try (GuardedObjectStore store = new GuardedObjectStore(new DownStore(), breaker)) {
            for (int i = 0; i < 3; i++) {
                store.startUpload("b1/topics/t/partition=0/segment-0000000000000000000" + i + ".zst",
                        WriteMode.CREATE_NEW).abort();
                assertThrows(StorageException.class,
                        () -> store.put("b1/state/x.db", new byte[1], WriteMode.OVERWRITE));
            }
            assertEquals(CircuitBreaker.State.OPEN, breaker.state(), "an upload that sent nothing is not a success");
        }
    }
}
