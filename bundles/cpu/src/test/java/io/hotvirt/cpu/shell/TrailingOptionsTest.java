package io.hotvirt.cpu.shell;

import org.junit.Test;

import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class TrailingOptionsTest {

    private static final List<String> VALUED = List.of("--cpus", "--weight", "--pin");
    private static final List<String> FLAGS = List.of("--reset");

    @Test
    public void valuesAndFlags() {
        assertEquals(Map.of("--cpus", "0.5", "--pin", "0-1", "--reset", "true"),
                TrailingOptions.parse(List.of("--cpus", "0.5", "--pin=0-1", "--reset"), VALUED, FLAGS));
        assertEquals(Map.of("--cpus", "-1"), TrailingOptions.parse(List.of("--cpus", "-1"), VALUED, FLAGS));
        assertEquals(Map.of(), TrailingOptions.parse(null, VALUED, FLAGS));
    }

    @Test
    public void mistakes() {
        refused(List.of("--cpus"), "--cpus needs a value");
        refused(List.of("--cpu", "1"), "unknown option --cpu (the options are --cpus, --weight, --pin, --reset)");
        refused(List.of("w2"), "unexpected argument 'w2'");
        refused(List.of("--cpus", "1", "--cpus=2"), "--cpus is given twice");
    }

    private static void refused(List<String> tokens, String expected) {
        try {
            TrailingOptions.parse(tokens, VALUED, FLAGS);
            fail("accepted " + tokens);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(expected));
        }
    }
}
