package io.hotvirt.checkpoint.image;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** HMAC-SHA256 of a manifest's canonical content with the node key. */
public final class ImageMac {

    private ImageMac() {
    }

    public static String compute(byte[] key, Manifest m) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(ManifestCodec.canonical(m)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Constant-time comparison, so a forger learns nothing from timing. */
    public static boolean matches(byte[] key, Manifest m) {
        if (m.mac() == null) {
            return false;
        }
        byte[] expected = compute(key, m).getBytes();
        return MessageDigest.isEqual(expected, m.mac().toLowerCase().getBytes());
    }
}
