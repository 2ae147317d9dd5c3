import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * Makes the client key pair bin/setenv needs when ssh-keygen is missing: FILE (PKCS#8 PEM private
 * key, mode 0600) and FILE.pub (OpenSSH public key). Run with the JDK's source launcher:
 * {@code java ClientKeyGen.java FILE COMMENT}.
 */
public class ClientKeyGen {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(3072);
        KeyPair pair = generator.generateKeyPair();

        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        write(file, pem);

        RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(blob);
        writeString(out, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
        writeString(out, pub.getPublicExponent().toByteArray());
        writeString(out, pub.getModulus().toByteArray());
        write(Path.of(args[0] + ".pub"),
                "ssh-rsa " + Base64.getEncoder().encodeToString(blob.toByteArray()) + " " + args[1] + "\n");
    }

    private static void writeString(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static void write(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }
}
