package dev.kbackup.restore;

import dev.kbackup.format.TimeWindow;

/**
 * How a task restores: which records (the time window), what an unreadable segment does, how many records a batch
 * holds at most, how fast bytes may go out, and how many payload bytes may wait for the producer's acknowledgement.
 */
record RestorePolicy(TimeWindow window, CorruptSegmentPolicy corruptSegments, int batchMaxRecords, Throttle throttle,
                     long inFlightBytes) {
}
