package io.hotvirt.checkpoint.cpu;

import com.google.gson.Gson;
import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

/** Images written before thread registrations were saved still load; new ones keep them. */
public class ThreadCpuJsonTest {

    private final Gson gson = new Gson();

    @Test
    public void registrationsAreOptionalAndRoundTrip() {
        ThreadCpu old = gson.fromJson("{\"tid\":7,\"xstateNote\":2,\"xstateBase64\":\"\"}", ThreadCpu.class);
        assertEquals(7, old.tid());
        assertNull(old.registrations());

        ThreadRegistrations r = new ThreadRegistrations(0x7f0010L, 0x7f0020L, 24, 0x7f0040L, 32, 0x53053053);
        ThreadCpu now = old.withRegistrations(r);
        assertEquals(now, gson.fromJson(gson.toJson(now), ThreadCpu.class));
    }
}
