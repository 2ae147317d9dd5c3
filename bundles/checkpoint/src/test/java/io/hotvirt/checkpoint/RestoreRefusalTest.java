package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.restore.MemoryRestorer;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainOrigin;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageWriter;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** What restore refuses before it makes anything: the core is never asked to adopt. */
public class RestoreRefusalTest {

    private static final MemoryRestorer.Mode DEFAULT = MemoryRestorer.Mode.ZERO_COPY_READ_ONLY;
    private static final MemoryRestorer.Mode COPY = MemoryRestorer.Mode.COPY;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<String> calls = new ArrayList<>();

    /** A DomainService that knows one domain, w1, and records every call but find. */
    private DomainService domains(DomainState w1State) {
        DomainInfo w1 = new DomainInfo("w1", DomainOrigin.LAUNCHED, 7, List.of("sh"), Instant.now(), w1State, null,
                "hotvirt/w1", null, 1, List.of(), Map.of());
        return (DomainService) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DomainService.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("find")) {
                        return "w1".equals(args[0]) ? Optional.of(w1) : Optional.empty();
                    }
                    calls.add(method.getName());
                    throw new AssertionError("unexpected call " + method.getName());
                });
    }

    private CheckpointService service(DomainState w1State) throws Exception {
        Path home = tmp.getRoot().toPath();
        try (ImageWriter w = ImageWriter.create(home.resolve("images"), "w1-img", new NodeKeyStore(home), "node")) {
            w.json(ImageFormat.DOMAIN, new DomainCheckpointer.DomainRecord("w1", "hotvirt/w1", "node",
                    "2026-11-25T10:00:00Z", false, List.of(), List.of(), Map.of("cpu", Map.of("cpus", "0.5"))));
            w.commit(List.of(), new DumpStats(0, 0, 0, 0, 0, 0, 0, 0));
        }
        return new CheckpointService(domains(w1State), home);
    }

    @Test
    public void aNameInUseIsRefused() throws Exception {
        CheckpointService s = service(DomainState.RUNNING);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.restore("w1-img", null, false, DEFAULT, null));
        assertEquals("domain w1 exists: restore with --name NEW", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.restore("w1-img", "w1", false, COPY, null));
        assertTrue(e.getMessage(), e.getMessage().startsWith("domain w1 exists"));
        assertEquals(List.of(), calls);
    }

    @Test
    public void anExitedDomainOfThatNameIsRefusedWithTheWayOut() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> service(DomainState.EXITED).restore("w1-img", null, false, DEFAULT, null));
        assertTrue(e.getMessage(), e.getMessage().contains("domain:remove w1"));
    }

    @Test
    public void anInvalidNameOrAMissingImageIsRefused() throws Exception {
        CheckpointService s = service(DomainState.RUNNING);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.restore("w1-img", "no/such name", false, DEFAULT, null));
        assertTrue(e.getMessage(), e.getMessage().startsWith("invalid domain name"));
        e = assertThrows(IllegalArgumentException.class, () -> s.restore("nosuch", "w2", false, DEFAULT, null));
        assertTrue(e.getMessage(), e.getMessage().startsWith("no image 'nosuch'"));
        assertEquals(List.of(), calls);
    }
}
