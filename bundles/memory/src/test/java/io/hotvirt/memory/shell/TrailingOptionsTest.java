package io.hotvirt.memory.shell;

import org.junit.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class TrailingOptionsTest {

    private static final Set<String> VALUED = Set.of("--max", "--high", "--swap-max");
    private static final Set<String> FLAGS = Set.of("--force", "--reset");

    @Test
    public void readsOptionsAfterTheName() {
        assertEquals(Map.of("--max", "64M", "--high", "48M", "--force", "true"),
                TrailingOptions.parse(List.of("--max", "64M", "--high=48M", "--force"), VALUED, FLAGS));
        assertEquals(Map.of(), TrailingOptions.parse(null, VALUED, FLAGS));
    }

    @Test
    public void refusesWhatItDoesNotKnow() {
        assertMessage("unknown option --maxx", List.of("--maxx", "1G"));
        assertMessage("--max needs a value", List.of("--max"));
        assertMessage("unexpected argument 'w2'", List.of("w2"));
        assertMessage("--max is given twice", List.of("--max", "1G", "--max=2G"));
    }

    @Test
    public void anOptionBeforeAndAfterTheNameIsAnError() {
        assertEquals("1G", TrailingOptions.merge("--max", "1G", Map.of()));
        assertEquals("2G", TrailingOptions.merge("--max", null, Map.of("--max", "2G")));
        assertThrows(IllegalArgumentException.class, () -> TrailingOptions.merge("--max", "1G", Map.of("--max", "2G")));
    }

    private static void assertMessage(String expected, List<String> tokens) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrailingOptions.parse(tokens, VALUED, FLAGS));
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
    }
}
