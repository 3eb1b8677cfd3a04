/** Build-time tools of the plugin archives: the configuration reference generated from both connectors' ConfigDefs. */
package dev.kbackup.packaging;
