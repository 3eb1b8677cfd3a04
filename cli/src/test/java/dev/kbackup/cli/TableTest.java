package dev.kbackup.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TableTest {

    @Test
    void alignsColumnsLeftAndNumbersRightUnderTheirHeaders() {
        Table table = new Table("TOPIC", "PARTITION>", "STORED>", "GAPS")
                .row("orders", 0, Units.mib(3 * 1024 * 1024 + 512 * 1024), "none")
                .row("audit-log", 12, Units.mib(0), "5..9 (recorded)");
        StringWriter out = new StringWriter();
        try (PrintWriter writer = new PrintWriter(out)) {
            table.print(writer);
        }
        assertEquals("""
                TOPIC      PARTITION    STORED  GAPS
                orders             0  3.50 MiB  none
                audit-log         12  0.00 MiB  5..9 (recorded)
                """, out.toString().replace(System.lineSeparator(), "\n"));
    }
}
