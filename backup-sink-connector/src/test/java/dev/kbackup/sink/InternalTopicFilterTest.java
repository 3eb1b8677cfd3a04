package dev.kbackup.sink;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InternalTopicFilterTest {

    @Test
    void internalTopicsAreSkippedUnlessListedByName() {
        InternalTopicFilter filter = new InternalTopicFilter(Set.of("orders", "__transaction_state"));
        assertTrue(filter.skips("__consumer_offsets"));
        assertFalse(filter.skips("__transaction_state"), "listed explicitly");
        assertFalse(filter.skips("orders"));
        assertFalse(new InternalTopicFilter(Set.of()).skips("payments"), "a pattern match of an ordinary topic");
    }
}
