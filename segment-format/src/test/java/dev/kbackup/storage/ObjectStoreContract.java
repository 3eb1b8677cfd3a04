package dev.kbackup.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * What every {@link ObjectStore} must do, written once and run against each implementation. Each test works below
 * its own key prefix, so implementations may share one store across the tests of a class.
 */
abstract class ObjectStoreContract {

    /** Part size the S3 store under test uses; ranged reads probe around multiples of it. */
    static final int PART_SIZE = 5 * 1024 * 1024;

    /** The store under test (may be shared by all tests of the class). */
    protected abstract ObjectStore store();

    /** Fails if anything of an unfinished write is left below {@code keyPrefix} (multipart uploads, temp files). */
    protected abstract void assertNothingPendingUnder(String keyPrefix);

    protected String base;

    @BeforeEach
    void chooseKeyPrefix(TestInfo test) {
        base = test.getTestMethod().orElseThrow().getName() + "-" + UUID.randomUUID().toString().substring(0, 8)
                + "/";
    }

    @Test
    void roundTripsSmallObjectsIncludingEmptyOnes() throws IOException {
        byte[] hello = "hello, storage".getBytes(StandardCharsets.UTF_8);
        store().put(base + "greeting.txt", hello, WriteMode.CREATE_NEW);
        store().put(base + "empty", new byte[0], WriteMode.CREATE_NEW);

        assertArrayEquals(hello, store().readIfExists(base + "greeting.txt").orElseThrow());
        try (InputStream in = store().read(base + "greeting.txt")) {
            assertArrayEquals(hello, in.readAllBytes());
        }
        ObjectInfo info = store().stat(base + "greeting.txt").orElseThrow();
        assertEquals(base + "greeting.txt", info.key());
        assertEquals(hello.length, info.size());
        assertTrue(info.version() != null && !info.version().isEmpty(), "a version tag: " + info);
        assertTrue(Math.abs(System.currentTimeMillis() - info.lastModifiedMillis()) < 600_000, info.toString());

        assertArrayEquals(new byte[0], store().readIfExists(base + "empty").orElseThrow());
        assertEquals(0, store().stat(base + "empty").orElseThrow().size());
    }

    @Test
    void listsTheFoldersBelowAPrefixWithoutTheirObjects() {
        for (String key : List.of("topics/orders/partition=0/segment-1", "topics/orders/partition=10/segment-2",
                "topics/audit/partition=3/segment-1", "topics/loose-object", "other/partition=9/x")) {
            store().put(base + key, new byte[] {1}, WriteMode.CREATE_NEW);
        }
        assertEquals(List.of("audit", "orders"), store().listFolders(base + "topics/"));
        assertEquals(List.of("partition=0", "partition=10"), store().listFolders(base + "topics/orders/"));
        assertEquals(List.of(), store().listFolders(base + "topics/orders/partition=0/"));
        assertEquals(List.of(), store().listFolders(base + "nothing-here/"));
    }

    @Test
    void listsTheFoldersAtTheRootOfTheStoreForAnEmptyPrefix() {
        store().put(base + "manifest.json", new byte[] {1}, WriteMode.CREATE_NEW);
        store().put("loose-object-" + base.replace("/", ""), new byte[] {1}, WriteMode.CREATE_NEW);
        String folder = base.substring(0, base.indexOf('/'));
        List<String> folders = store().listFolders("");
        assertTrue(folders.contains(folder), folders.toString());
        assertTrue(folders.stream().noneMatch(name -> name.startsWith("loose-object-")), folders.toString());
    }

    @Test
    void streamsALargeObjectWrittenInSmallRandomPiecesAndReadsItBackExactly() throws IOException {
        int size = 50 * 1024 * 1024 + 12_345;
        byte[] data = new byte[size];
        Random random = new Random(42);
        random.nextBytes(data);
        String key = base + "large.bin";

        ObjectInfo written;
        try (ObjectUpload upload = store().startUpload(key, WriteMode.CREATE_NEW)) {
            int offset = 0;
            while (offset < size) {
                if (random.nextInt(50) == 0) {
                    upload.write(data[offset++]);
                    continue;
                }
                int n = Math.min(size - offset, 1 + random.nextInt(200_000));
                upload.write(data, offset, n);
                offset += n;
            }
            assertEquals(size, upload.bytesWritten());
            written = upload.complete();
        }
        assertEquals(size, written.size());
        assertEquals(size, store().stat(key).orElseThrow().size());

        try (InputStream in = store().read(key)) {
            assertEquals(sha256(data, 0, size), sha256(in), "whole object read back");
        }
        List<long[]> ranges = new ArrayList<>();
        for (long boundary = PART_SIZE; boundary < size; boundary += PART_SIZE) {
            ranges.add(new long[] {boundary - 1, boundary + 1});
            ranges.add(new long[] {boundary - 70_000, Math.min(size, boundary + 130_000)});
        }
        ranges.add(new long[] {0, 1});
        ranges.add(new long[] {size - 1, size}); // the last byte
        ranges.add(new long[] {3 * (long) PART_SIZE - 17, size}); // the tail across several parts
        for (long[] range : ranges) {
            try (InputStream in = store().readRange(key, range[0], range[1])) {
                assertArrayEquals(Arrays.copyOfRange(data, (int) range[0], (int) range[1]), in.readAllBytes(),
                        "bytes [" + range[0] + ", " + range[1] + ")");
            }
        }
        try (InputStream in = store().readRange(key, size - 10, size + 1000)) {
            assertArrayEquals(Arrays.copyOfRange(data, size - 10, size), in.readAllBytes(),
                    "a range reaching past the end stops at the end");
        }
        try (InputStream in = store().read(key)) {
            assertEquals(data[0], (byte) in.read(), "closing a stream early is fine");
        }
        assertNothingPendingUnder(base);
    }

    @Test
    void createNewRefusesAnExistingKeyAndLeavesItsBytesIntact() {
        String key = base + "segment";
        byte[] original = "original bytes".getBytes(StandardCharsets.UTF_8);
        store().put(key, original, WriteMode.CREATE_NEW);

        ObjectExistsException refused = assertThrows(ObjectExistsException.class,
                () -> store().put(key, "intruder".getBytes(StandardCharsets.UTF_8), WriteMode.CREATE_NEW));

        assertEquals(key, refused.key());
        assertFalse(refused.isRetriable());
        assertTrue(refused.getMessage().contains(store().describe()), refused.getMessage());
        assertArrayEquals(original, store().readIfExists(key).orElseThrow());
    }

    @Test
    void createNewMultipartUploadRefusesAnExistingKeyAndLeavesNothingBehind() throws IOException {
        String key = base + "segment";
        byte[] original = "original bytes".getBytes(StandardCharsets.UTF_8);
        store().put(key, original, WriteMode.CREATE_NEW);

        try (ObjectUpload upload = store().startUpload(key, WriteMode.CREATE_NEW)) {
            upload.write(randomBytes(12 * 1024 * 1024, 7));
            ObjectExistsException refused = assertThrows(ObjectExistsException.class, upload::complete);
            assertEquals(key, refused.key());
        }

        assertArrayEquals(original, store().readIfExists(key).orElseThrow());
        assertNothingPendingUnder(base);
    }

    @Test
    void createNewUploadCreatesAMissingKey() throws IOException {
        String key = base + "new-segment";
        byte[] data = randomBytes(11 * 1024 * 1024 + 3, 11);
        try (ObjectUpload upload = store().startUpload(key, WriteMode.CREATE_NEW)) {
            upload.write(data);
            upload.complete();
        }
        try (InputStream in = store().read(key)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void abortedOrUnfinishedUploadsLeaveNoObjectAndNothingPending() throws IOException {
        try (ObjectUpload upload = store().startUpload(base + "aborted-large", WriteMode.CREATE_NEW)) {
            upload.write(randomBytes(12 * 1024 * 1024, 3));
            upload.abort();
            upload.abort(); // twice is fine
        }
        try (ObjectUpload upload = store().startUpload(base + "closed-large", WriteMode.OVERWRITE)) {
            upload.write(randomBytes(6 * 1024 * 1024, 4));
        }
        try (ObjectUpload upload = store().startUpload(base + "aborted-small", WriteMode.CREATE_NEW)) {
            upload.write(new byte[] {1, 2, 3});
            upload.abort();
            assertThrows(IllegalStateException.class, () -> upload.write(new byte[] {4}));
        }

        assertEquals(Optional.empty(), store().stat(base + "aborted-large"));
        assertEquals(Optional.empty(), store().stat(base + "closed-large"));
        assertEquals(Optional.empty(), store().stat(base + "aborted-small"));
        assertEquals(List.of(), keys(store().list(base, null)));
        assertNothingPendingUnder(base);
    }

    @Test
    void overwriteReplacesTheWholeObject() throws IOException {
        String key = base + "state.db";
        store().put(key, "version one, longer than the next".getBytes(StandardCharsets.UTF_8), WriteMode.OVERWRITE);
        String firstVersion = store().stat(key).orElseThrow().version();

        store().put(key, "version two".getBytes(StandardCharsets.UTF_8), WriteMode.OVERWRITE);
        assertEquals("version two", new String(store().readIfExists(key).orElseThrow(), StandardCharsets.UTF_8));
        assertNotEquals(firstVersion, store().stat(key).orElseThrow().version());

        byte[] large = randomBytes(7 * 1024 * 1024, 5);
        try (ObjectUpload upload = store().startUpload(key, WriteMode.OVERWRITE)) {
            upload.write(large);
            upload.complete();
        }
        try (InputStream in = store().read(key)) {
            assertArrayEquals(large, in.readAllBytes());
        }
    }

    /** Keys whose order trips up naive directory walks: '-' and '.' sort before '/', which sorts before letters. */
    static final List<String> TRICKY_KEYS = List.of(
            "a-b", "a.b", "a/b/c", "a/b-c", "a/b.c", "a/bc", "a/b/d/e", "a0", "a_b", "aa", "bb/a", "A", "Z/z",
            "a/c", "a/b/c0", "a/b/c-", "a/b/c.", "0", "a~", "a/~", "ab/c", "a/b0/x", "c-d/e", "a/b/d-", "a/b/d.x");

    @Test
    void listsKeysInExactLexicographicOrderWithPrefixAndStartAfter() {
        assertEquals(25, TRICKY_KEYS.size());
        for (String key : TRICKY_KEYS) {
            store().put(base + key, key.getBytes(StandardCharsets.UTF_8), WriteMode.CREATE_NEW);
        }
        TreeSet<String> all = TRICKY_KEYS.stream().map(k -> base + k).collect(Collectors.toCollection(TreeSet::new));

        List<ObjectInfo> listed = new ArrayList<>();
        store().list(base, null).forEachRemaining(listed::add);
        assertEquals(List.copyOf(all), listed.stream().map(ObjectInfo::key).collect(Collectors.toList()));
        for (ObjectInfo info : listed) {
            assertEquals(info.key().length() - base.length(), info.size(), "size of " + info.key());
        }

        for (String prefix : List.of("a/b", "a/", "a/b/", "a/b/c", "a", "Z", "zzz", "a/b/d/")) {
            assertEquals(expected(all, base + prefix, null), keys(store().list(base + prefix, null)),
                    "prefix " + prefix);
        }
        for (String startAfter : List.of("a/b", "a/b/c", "a/b/d", "a.", "a/", "0", "~", "")) {
            assertEquals(expected(all, base, base + startAfter), keys(store().list(base, base + startAfter)),
                    "startAfter " + startAfter);
        }
        assertEquals(expected(all, base + "a/", base + "a/b/c"), keys(store().list(base + "a/", base + "a/b/c")));
        assertEquals(List.of(), keys(store().list(base, base + "zzz")));
    }

    @Test
    void reportsMissingObjectsWithoutFailingWhereAbsenceIsAnAnswer() {
        String key = base + "missing";
        ObjectNotFoundException notFound = assertThrows(ObjectNotFoundException.class, () -> store().read(key));
        assertEquals(key, notFound.key());
        assertFalse(notFound.isRetriable());
        assertTrue(notFound.getMessage().contains(key), notFound.getMessage());
        assertThrows(ObjectNotFoundException.class, () -> store().readRange(key, 0, 10));
        assertEquals(Optional.empty(), store().readIfExists(key));
        assertEquals(Optional.empty(), store().stat(key));
        store().delete(key);
        assertFalse(store().list(base, null).hasNext());
    }

    @Test
    void deleteRemovesTheObject() {
        String key = base + "doomed";
        store().put(key, new byte[] {1}, WriteMode.CREATE_NEW);
        store().delete(key);
        assertEquals(Optional.empty(), store().stat(key));
        assertEquals(List.of(), keys(store().list(base, null)));
    }

    @Test
    void refusesARangeStartingAtOrAfterTheEnd() throws IOException {
        String key = base + "short";
        store().put(key, new byte[] {1, 2, 3}, WriteMode.CREATE_NEW);
        StorageException refused = assertThrows(StorageException.class, () -> store().readRange(key, 3, 10));
        assertFalse(refused instanceof ObjectNotFoundException, refused.toString());
        assertFalse(refused.isRetriable());
        assertTrue(refused.getMessage().contains(key), refused.getMessage());
        try (InputStream in = store().readRange(key, 1, 1)) {
            assertEquals(-1, in.read(), "an empty range is empty");
        }
    }

    // ---- helpers ----

    static List<String> keys(Iterator<ObjectInfo> listing) {
        List<String> keys = new ArrayList<>();
        listing.forEachRemaining(info -> keys.add(info.key()));
        return keys;
    }

    private static List<String> expected(TreeSet<String> all, String prefix, String startAfter) {
        return all.stream()
                .filter(k -> k.startsWith(prefix))
                .filter(k -> startAfter == null || k.compareTo(startAfter) > 0)
                .collect(Collectors.toList());
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] data, int offset, int length) {
        MessageDigest digest = sha256();
        digest.update(data, offset, length);
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256(InputStream in) {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
