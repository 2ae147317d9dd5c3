package io.hotvirt.checkpoint.image;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON for manifests. The canonical form the MAC covers is the compact serialization with the mac
 * left out: Gson writes record components in declaration order and the manifest holds only
 * strings, integers and lists, so the same manifest always gives the same bytes.
 */
public final class ManifestCodec {

    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().create();
    private static final Gson PRETTY = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create();

    private ManifestCodec() {
    }

    public static byte[] canonical(Manifest m) {
        return COMPACT.toJson(m.withMac(null)).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] write(Manifest m) {
        return (PRETTY.toJson(m) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    public static Manifest read(byte[] json) throws IOException {
        try {
            Manifest m = COMPACT.fromJson(new String(json, StandardCharsets.UTF_8), Manifest.class);
            if (m == null || m.files() == null || m.processes() == null) {
                throw new IOException("the manifest is empty or lacks its file list");
            }
            return m;
        } catch (JsonParseException | NullPointerException e) {
            throw new IOException("the manifest is not valid JSON: " + e.getMessage(), e);
        }
    }
}
