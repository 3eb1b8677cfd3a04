/**
 * The settings of client-side encryption shared by both connectors and any tool that reads a backup: which master
 * keys encrypt new segments and open old ones. The cipher itself is in {@link dev.kbackup.format}.
 */
package dev.kbackup.encryption;
