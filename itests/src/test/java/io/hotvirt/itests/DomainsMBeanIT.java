package io.hotvirt.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.Test;

/** hotvirt's domains as the usual JMX tools see them: io.hotvirt:type=domains, open types only. */
public class DomainsMBeanIT extends HotvirtTestSupport {

    @Test
    public void domainsAreReadableThroughThePlatformMBeanServer() throws Exception {
        int pid = stray(domains().launch("it-jmx", List.of("sleep", "1000")).rootPid());
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.hotvirt:type=domains");
        waitFor("io.hotvirt:type=domains to be registered", () -> server.isRegistered(name));

        String[] names = (String[]) server.getAttribute(name, "DomainNames");
        assertTrue(Arrays.toString(names), Arrays.asList(names).contains("it-jmx"));

        TabularData table = (TabularData) server.getAttribute(name, "Domains");
        CompositeData row = table.get(new Object[] {"it-jmx"});
        assertEquals("RUNNING", row.get("state"));
        assertEquals(pid, row.get("rootPid"));
        assertEquals("launched", row.get("origin"));
        assertEquals("sleep 1000", row.get("command"));
        assertEquals(1, row.get("processes"));

        CompositeData one = (CompositeData) server.invoke(name, "getDomain", new Object[] {"it-jmx"},
                new String[] {String.class.getName()});
        assertEquals(CGROUP_ROOT + "/it-jmx", one.get("cgroup"));
        // the distribution's capabilities hold every running domain
        String[] holding = (String[]) server.invoke(name, "getCapabilities", new Object[] {"it-jmx"},
                new String[] {String.class.getName()});
        String[] expected = domains().find("it-jmx").orElseThrow().capabilities().toArray(String[]::new);
        assertTrue("capabilities hold the domain: " + Arrays.toString(holding), holding.length > 0);
        assertArrayEquals(expected, holding);
        assertArrayEquals(expected, (String[]) one.get("capabilities"));
    }
}
