/** What every kbackup module reports about itself: the project version stamped in by the build. */
package dev.kbackup;
