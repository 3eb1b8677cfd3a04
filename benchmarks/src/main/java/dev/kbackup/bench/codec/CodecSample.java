package dev.kbackup.bench.codec;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockEncoder;
import dev.kbackup.format.RawBlock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Records encoded into blocks exactly as a segment cuts them, and the raw codec's frames of those blocks. */
final class CodecSample {

    private final List<byte[]> blocks;
    private final List<byte[]> frames = new ArrayList<>();
    private final long encodedBytes;

    private CodecSample(List<byte[]> blocks) {
        this.blocks = blocks;
        this.encodedBytes = blocks.stream().mapToLong(b -> b.length).sum();
    }

    static CodecSample of(List<BackupRecord> records, int blockBytes) {
        List<byte[]> blocks = new ArrayList<>();
        BlockEncoder encoder = new BlockEncoder();
        for (BackupRecord record : records) {
            encoder.append(record);
            if (encoder.sizeInBytes() >= blockBytes) {
                blocks.add(trimmed(encoder.seal()));
            }
        }
        if (!encoder.isEmpty()) {
            blocks.add(trimmed(encoder.seal()));
        }
        return new CodecSample(blocks);
    }

    void compressFrames(SegmentCodecBenchmark.RawCodec raw) {
        frames.clear();
        for (byte[] block : blocks) {
            int length = raw.compress(block, block.length);
            frames.add(Arrays.copyOf(raw.output, length));
        }
    }

    int blockCount() {
        return blocks.size();
    }

    byte[] block(int i) {
        return blocks.get(i);
    }

    int blockLength(int i) {
        return blocks.get(i).length;
    }

    byte[] frame(int i) {
        return frames.get(i);
    }

    int frameLength(int i) {
        return frames.get(i).length;
    }

    int largestBlock() {
        return blocks.stream().mapToInt(b -> b.length).max().orElse(0);
    }

    long encodedBytes() {
        return encodedBytes;
    }

    long framedBytes() {
        return frames.stream().mapToLong(f -> f.length).sum();
    }

    private static byte[] trimmed(RawBlock block) {
        return Arrays.copyOf(block.data(), block.length());
    }
}
