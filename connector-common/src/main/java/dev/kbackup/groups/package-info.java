/**
 * Moving consumer groups to a restored cluster without Connect: a restore's stored offset maps, the translation of
 * a group's committed offsets through them, the plan per group, and committing it with the admin client. Shared by
 * the restore connector and the operator CLI.
 */
package dev.kbackup.groups;
