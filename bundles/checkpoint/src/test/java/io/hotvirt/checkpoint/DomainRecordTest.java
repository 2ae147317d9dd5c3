package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageWriter;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** domain.json with the capability settings: written, read back, trusted only as the MAC vouches. */
public class DomainRecordTest {

    private static final Map<String, Map<String, String>> SETTINGS =
            Map.of("cpu", Map.of("cpus", "0.5", "weight", "200"), "memory", Map.of("max", "67108864"));

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private Path image(NodeKeyStore keys, Object domainJson) throws Exception {
        try (ImageWriter w = ImageWriter.create(tmp.getRoot().toPath().resolve("images"), "img", keys, "node")) {
            w.json(ImageFormat.DOMAIN, domainJson);
            return w.commit(List.of(), new DumpStats(0, 0, 0, 0, 0, 0, 0, 0));
        }
    }

    private static DomainCheckpointer.DomainRecord record(Map<String, Map<String, String>> settings) {
        return new DomainCheckpointer.DomainRecord("w1", "hotvirt/w1", "node", "2026-11-25T10:00:00Z", false,
                List.of(new DomainCheckpointer.DomainRecord.Member(7, 1, "sh", 1)), List.of(), settings);
    }

    @Test
    public void settingsRoundTripAndAreTrustedWithAGoodMac() throws Exception {
        NodeKeyStore keys = new NodeKeyStore(tmp.newFolder("key").toPath());
        Path image = image(keys, record(SETTINGS));
        assertEquals(SETTINGS, ImageCatalog.domainRecord(image).settings());
        assertEquals(SETTINGS, new ImageCatalog(image.getParent(), keys).trustedDomainRecord(image).settings());
    }

    @Test
    public void anOldImageWithoutSettingsReadsAsEmpty() throws Exception {
        NodeKeyStore keys = new NodeKeyStore(tmp.newFolder("key").toPath());
        Map<String, Object> old = Map.of("domain", "w1", "cgroup", "hotvirt/w1", "node", "node",
                "created", "2026-11-25T10:00:00Z", "leftRunning", true, "processes", List.of(), "notes", List.of());
        Path image = image(keys, old);
        assertEquals(Map.of(), ImageCatalog.domainRecord(image).settings());
        assertEquals(Map.of(), new ImageCatalog(image.getParent(), keys).trustedDomainRecord(image).settings());
        assertEquals(Map.of(), record(null).settings());
    }

    @Test
    public void anEditedDomainFileOrAForeignKeyIsNotTrusted() throws Exception {
        NodeKeyStore keys = new NodeKeyStore(tmp.newFolder("key").toPath());
        Path image = image(keys, record(SETTINGS));
        ImageCatalog catalog = new ImageCatalog(image.getParent(), keys);

        NodeKeyStore other = new NodeKeyStore(tmp.newFolder("other").toPath());
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> new ImageCatalog(image.getParent(), other).trustedDomainRecord(image));
        assertTrue(foreign.getMessage(), foreign.getMessage().contains("wrong MAC"));

        Path file = image.resolve(ImageFormat.DOMAIN);
        Files.writeString(file, Files.readString(file).replace("0.5", "4.0"), StandardCharsets.UTF_8);
        IllegalArgumentException edited = assertThrows(IllegalArgumentException.class,
                () -> catalog.trustedDomainRecord(image));
        assertTrue(edited.getMessage(), edited.getMessage().contains("domain.json checksum mismatch"));
    }
}
