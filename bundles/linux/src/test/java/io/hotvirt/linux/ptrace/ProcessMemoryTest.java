package io.hotvirt.linux.ptrace;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class ProcessMemoryTest {

    @Rule
    public final Children children = new Children();

    private static int self() {
        return Math.toIntExact(ProcessHandle.current().pid());
    }

    @Test
    public void readsAndWritesMemoryInBulk() throws Exception {
        Memory m = new Memory(3 * 4096);
        byte[] data = new byte[(int) m.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        m.write(0, data, 0, data.length);
        long address = Pointer.nativeValue(m);
        assertArrayEquals(data, ProcessMemory.read(self(), address, data.length));
        byte[] patch = "hotvirt".getBytes(StandardCharsets.US_ASCII);
        ProcessMemory.write(self(), address + 100, patch);
        assertArrayEquals(patch, m.getByteArray(100, patch.length));
    }

    @Test
    public void readsAnotherProcess() throws Exception {
        Privileged.assume("root (process_vm_readv of a child in another session)");
        int pid = children.spawn("sleep", "100");
        Children.await("sleep to exec", 3000, () -> Procfs.exe(pid).map(e -> e.endsWith("/sleep")).orElse(false));
        MemoryMapping text = Procfs.maps(pid).stream().filter(mm -> mm.path().endsWith("/sleep") && mm.offset() == 0)
                .findFirst().orElseThrow();
        byte[] header = ProcessMemory.read(pid, text.start(), 4);
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, header);
    }

    @Test
    public void unmappedMemoryIsNamed() {
        IOException e = assertThrows(IOException.class, () -> ProcessMemory.read(self(), 0, 16));
        assertTrue(e.getMessage(), e.getMessage().contains("not mapped"));
    }
}
