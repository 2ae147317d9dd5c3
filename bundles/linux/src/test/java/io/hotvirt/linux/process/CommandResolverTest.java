package io.hotvirt.linux.process;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

public class CommandResolverTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aFileWithoutExecutePermissionIsNotExecutableNotMissing() throws Exception {
        Path plain = tmp.newFile("plain").toPath();
        assertEquals(plain + " is not executable: make it so (chmod +x " + plain + "), or put its interpreter first"
                + " (-- sh " + plain + ")", refusal(plain.toString(), null));
        // on PATH, as execvp would find it: still not executable, not "not found"
        assertEquals(plain + " is not executable: make it so (chmod +x " + plain + "), or put its interpreter first"
                + " (-- sh " + plain + ")", refusal("plain", tmp.getRoot().toString()));
    }

    @Test
    public void aDirectoryIsADirectory() throws Exception {
        Path dir = tmp.newFolder("dir").toPath();
        assertEquals(dir + " is a directory, not a command", refusal(dir.toString(), null));
    }

    @Test
    public void missingCommandsAreNotFound() {
        assertEquals("command not found: no-such-command-xyz", refusal("no-such-command-xyz", null));
        Path missing = tmp.getRoot().toPath().resolve("missing.sh");
        assertEquals("command not found: " + missing, refusal(missing.toString(), null));
    }

    @Test
    public void theFirstExecutableOnThePathWins() throws Exception {
        Path first = tmp.newFolder("a").toPath();
        Path second = tmp.newFolder("b").toPath();
        Files.createFile(first.resolve("tool")); // not executable: skipped, as execvp does
        Path tool = Files.createFile(second.resolve("tool"));
        tool.toFile().setExecutable(true);
        assertEquals(tool, CommandResolver.resolve("tool", null, first + ":" + second));
    }

    private static String refusal(String command, String searchPath) {
        return assertThrows(IllegalArgumentException.class,
                () -> CommandResolver.resolve(command, null, searchPath)).getMessage();
    }
}
