package io.hotvirt.core.registry;

import io.hotvirt.api.DomainOrigin;
import io.hotvirt.linux.cgroup.CgroupOrigin;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class DomainRegistryTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static DomainRecord record(String name) {
        CgroupOrigin home = new CgroupOrigin(Map.of("cpu", "/user.slice", "memory", "/"));
        return new DomainRecord(name, DomainOrigin.ADOPTED, 4242, 99L, List.of("sh", "-c", "sleep 1"), 1_700_000_000_000L,
                "hotvirt/" + name, null, false, null, Map.of(4242, home, 4243, new CgroupOrigin(Map.of("cpu", "/x"))),
                home, Map.of("cpu", Map.of("cpus", "1.5")));
    }

    @Test
    public void recordsSurviveReopening() throws IOException {
        Path file = tmp.getRoot().toPath().resolve("hotvirt/domains.json");
        DomainRegistry registry = DomainRegistry.open(file);
        registry.put(record("w1"));
        registry.put(record("w2").withExit(3).asExited());

        DomainRegistry reopened = DomainRegistry.open(file);
        assertEquals(record("w1"), reopened.get("w1").orElseThrow());
        DomainRecord w2 = reopened.get("w2").orElseThrow();
        assertTrue(w2.exited());
        assertEquals(Integer.valueOf(3), w2.exitStatus());
        assertEquals("/x", w2.homeCgroups().get(4243).pathByHierarchy().get("cpu"));
        assertEquals("1.5", w2.settings().get("cpu").get("cpus"));
    }

    @Test
    public void removeAndSettingsArePersisted() throws IOException {
        Path file = tmp.getRoot().toPath().resolve("domains.json");
        DomainRegistry registry = DomainRegistry.open(file);
        registry.put(record("w1"));
        registry.put(record("w2"));
        registry.remove("w1");
        registry.put(registry.get("w2").orElseThrow().withSettings("cpu", Map.of()));

        DomainRegistry reopened = DomainRegistry.open(file);
        assertFalse(reopened.get("w1").isPresent());
        assertFalse(reopened.get("w2").orElseThrow().settings().containsKey("cpu"));
    }

    @Test
    public void fileIsPrivateAndNoTemporaryFileIsLeft() throws IOException {
        Path file = tmp.getRoot().toPath().resolve("domains.json");
        DomainRegistry.open(file).put(record("w1"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var files = Files.list(tmp.getRoot().toPath())) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    public void corruptFileIsReportedWithTheFix() throws IOException {
        Path file = tmp.getRoot().toPath().resolve("domains.json");
        Files.writeString(file, "[{\"name\": \"w1\", \"rootPid\": [oops");
        try {
            DomainRegistry.open(file);
            fail("a corrupt registry must not open");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("corrupt") && e.getMessage().contains("move it aside"));
        }
    }
}
