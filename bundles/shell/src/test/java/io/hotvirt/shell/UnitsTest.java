package io.hotvirt.shell;

import org.junit.Test;

import java.time.Duration;

import static org.junit.Assert.assertEquals;

public class UnitsTest {

    @Test
    public void bytesAreBinaryWithOneDecimalAtMost() {
        assertEquals("0 B", Units.bytes(0));
        assertEquals("512 B", Units.bytes(512));
        assertEquals("1023 B", Units.bytes(1023));
        assertEquals("4 KiB", Units.bytes(4096));
        assertEquals("64 MiB", Units.bytes(64L << 20));
        assertEquals("1.5 GiB", Units.bytes(1536L << 20));
        assertEquals("130.2 MiB", Units.bytes(136_524_595L));
        assertEquals("1 MiB", Units.bytes((1L << 20) - 1)); // not "1024 KiB"
        assertEquals("8 EiB", Units.bytes(Long.MAX_VALUE));
        assertEquals("-16 MiB", Units.bytes(-(16L << 20)));
        assertEquals("-8 EiB", Units.bytes(Long.MIN_VALUE));
    }

    @Test
    public void ratesAreBytesPerSecond() {
        assertEquals("64 MiB/s", Units.rate(32L << 20, 500_000_000L));
        assertEquals("1.5 GiB/s", Units.rate(1536L << 20, 1_000_000_000L));
        assertEquals("- B/s", Units.rate(4096, 0));
        assertEquals("8 EiB/s", Units.rate(Long.MAX_VALUE, 1));
    }

    @Test
    public void durationsPickTheirUnit() {
        assertEquals("0 ms", Units.nanos(0));
        assertEquals("850 ms", Units.nanos(850_400_000L));
        assertEquals("1.00 s", Units.nanos(1_000_000_000L));
        assertEquals("12.35 s", Units.nanos(12_345_678_901L));
        assertEquals("59.99 s", Units.nanos(59_990_000_000L));
        assertEquals("1m 00s", Units.nanos(60_000_000_000L));
        assertEquals("3m 02s", Units.nanos(182_000_000_000L));
        assertEquals("2h 05m", Units.nanos(7_500_000_000_000L));
        assertEquals("-850 ms", Units.nanos(-850_000_000L));
        assertEquals("42 ms", Units.millis(42));
        assertEquals("1.50 s", Units.millis(1500));
        assertEquals("3m 02s", Units.duration(Duration.ofSeconds(182)));
        assertEquals("2562047h 47m", Units.duration(Duration.ofDays(200_000)));
    }
}
