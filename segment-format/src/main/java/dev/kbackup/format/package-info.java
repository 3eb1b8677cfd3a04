/**
 * The segment byte format, specified in docs/segment-format.md: turns records into the bytes of a segment (header,
 * compressed blocks, footer index, trailer) and back, with checksums. Knows nothing of storage or the catalog.
 */
package dev.kbackup.format;
