/** The backup sink connector: writes each assigned topic-partition into segments in storage and indexes them. */
package dev.kbackup.sink;
