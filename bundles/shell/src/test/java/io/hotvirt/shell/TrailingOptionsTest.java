package io.hotvirt.shell;

import org.apache.karaf.shell.api.action.Option;
import org.junit.Test;

import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

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
    public void readsOptionsAfterTheName() {
        assertEquals(Map.of("--max", "64M", "--high", "48M", "--force", "true"),
                TrailingOptions.parse(List.of("--max", "64M", "--high=48M", "--force"),
                        List.of("--max", "--high", "--swap-max"), List.of("--force", "--reset")));
    }

    @Test
    public void mistakes() {
        refused(List.of("--cpus"), "--cpus needs a value");
        refused(List.of("--cpu", "1"), "unknown option --cpu (the options are --cpus, --weight, --pin, --reset)");
        refused(List.of("w2"), "unexpected argument 'w2'");
        refused(List.of("--cpus", "1", "--cpus=2"), "--cpus is given twice");
    }

    @Test
    public void withoutFlagsTheMessageListsOnlyTheValued() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrailingOptions.parse(List.of("--x"), List.of("--bytes"), List.of()));
        assertEquals("unknown option --x (the options are --bytes)", e.getMessage());
    }

    @Test
    public void anOptionBeforeAndAfterTheNameIsAnError() {
        assertEquals("1G", TrailingOptions.merge("--max", "1G", Map.of()));
        assertEquals("2G", TrailingOptions.merge("--max", null, Map.of("--max", "2G")));
        assertThrows(IllegalArgumentException.class, () -> TrailingOptions.merge("--max", "1G", Map.of("--max", "2G")));
    }

    private static void refused(List<String> tokens, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrailingOptions.parse(tokens, VALUED, FLAGS));
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
    }

    /** Option fields as a domain command declares them, one in a superclass as the shared base does. */
    private static class Base {
        @Option(name = "--force")
        boolean force;
    }

    private static final class Command extends Base {
        @Option(name = "-s", aliases = "--signal")
        String signal;

        @Option(name = "--max")
        String max;
    }

    @Test
    public void applySetsTheOptionFieldsOfTheClassAndItsSuperclasses() {
        Command c = new Command();
        TrailingOptions.apply(c, List.of("--signal", "TERM", "--force"));
        assertEquals("TERM", c.signal);
        assertTrue(c.force);
        assertNull(c.max);

        Command alias = new Command();
        TrailingOptions.apply(alias, List.of("-s=HUP", "--max", "64M"));
        assertEquals("HUP", alias.signal);
        assertEquals("64M", alias.max);

        Command nothing = new Command();
        TrailingOptions.apply(nothing, null);
        assertNull(nothing.signal);
    }

    @Test
    public void applyRefusesAValueGivenTwiceUnknownOptionsAndStrayArguments() {
        Command before = new Command();
        before.max = "32M"; // as Karaf set it from before the name
        assertEquals("--max is given twice", assertThrows(IllegalArgumentException.class,
                () -> TrailingOptions.apply(before, List.of("--max", "64M"))).getMessage());
        assertEquals("-s is given twice", assertThrows(IllegalArgumentException.class,
                () -> TrailingOptions.apply(new Command(), List.of("-s", "HUP", "--signal", "TERM"))).getMessage());
        assertEquals("unknown option --cpus (the options are -s, --signal, --max, --force)",
                assertThrows(IllegalArgumentException.class,
                        () -> TrailingOptions.apply(new Command(), List.of("--cpus", "1"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TrailingOptions.apply(new Command(), List.of("w2"))).getMessage().contains("unexpected argument 'w2'"));

        Command flagTwice = new Command();
        flagTwice.force = true;
        TrailingOptions.apply(flagTwice, List.of("--force"));
        assertTrue(flagTwice.force);
    }
}
