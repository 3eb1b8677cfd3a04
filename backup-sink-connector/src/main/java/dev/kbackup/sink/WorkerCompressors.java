package dev.kbackup.sink;

import dev.kbackup.format.BlockCompressor;
import dev.kbackup.format.Codec;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pipeline's compressor, one per worker thread underneath: compressors keep native state and an output buffer
 * between calls, so two threads must never share one, yet a segment's writer holds a single compressor while its
 * blocks are compressed on whichever worker runs its partition's turn.
 */
final class WorkerCompressors implements BlockCompressor {

    private final Codec codec;
    private final Set<BlockCompressor> created = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<BlockCompressor> own;

    WorkerCompressors(Codec codec, int level) {
        this.codec = codec;
        // fails here, not on a worker, if the codec refuses the level
        codec.newCompressor(level).close();
        this.own = ThreadLocal.withInitial(() -> {
            BlockCompressor compressor = codec.newCompressor(level);
            created.add(compressor);
            return compressor;
        });
    }

    @Override
    public Codec codec() {
        return codec;
    }

    @Override
    public Bytes compress(byte[] source, int length) {
        return own.get().compress(source, length);
    }

    /** Closes every thread's compressor; call once no thread compresses any more. */
    @Override
    public void close() {
        created.forEach(BlockCompressor::close);
        created.clear();
    }
}
