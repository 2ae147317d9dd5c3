package io.hotvirt.core.jmx;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import javax.management.DynamicMBean;
import javax.management.NotCompliantMBeanException;
import javax.management.StandardMBean;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularData;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Publishes {@link DomainsMBean} as {@value #OBJECT_NAME}: Karaf's management feature (Aries JMX
 * whiteboard) registers every service with a {@code jmx.objectname} property in its MBean server, and
 * unregisters it when this bundle stops.
 */
@Component(service = DynamicMBean.class, property = "jmx.objectname=" + JmxDomains.OBJECT_NAME)
public final class JmxDomains extends StandardMBean implements DomainsMBean {

    public static final String OBJECT_NAME = "io.hotvirt:type=domains";

    private static final String[] ITEMS = {"name", "state", "exitStatus", "origin", "rootPid", "processes", "cgroup",
            "command", "created", "log", "capabilities"};
    private static final CompositeType DOMAIN;
    private static final TabularType DOMAINS;

    static {
        try {
            OpenType<?>[] types = {SimpleType.STRING, SimpleType.STRING, SimpleType.INTEGER, SimpleType.STRING,
                    SimpleType.INTEGER, SimpleType.INTEGER, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
                    SimpleType.STRING, ArrayType.getArrayType(SimpleType.STRING)};
            String[] descriptions = {"domain name", "RUNNING or EXITED", "the root's exit status, when known",
                    "launched, adopted or restored", "PID of the root process", "live processes",
                    "cgroup path under each hierarchy", "the root's command line", "when the domain was made",
                    "log of a launched domain", "capabilities holding the domain"};
            DOMAIN = new CompositeType("io.hotvirt.Domain", "a hotvirt domain", ITEMS, descriptions, types);
            DOMAINS = new TabularType("io.hotvirt.Domains", "hotvirt domains by name", DOMAIN, new String[] {"name"});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DomainService domains;

    @Activate
    public JmxDomains(@Reference DomainService domains) throws NotCompliantMBeanException {
        super(DomainsMBean.class);
        this.domains = domains;
    }

    @Override
    public String[] getDomainNames() {
        return domains.list().stream().map(DomainInfo::name).toArray(String[]::new);
    }

    @Override
    public TabularData getDomains() {
        TabularDataSupport table = new TabularDataSupport(DOMAINS);
        for (DomainInfo d : domains.list()) {
            table.put(composite(d));
        }
        return table;
    }

    @Override
    public CompositeData getDomain(String name) {
        return composite(find(name));
    }

    @Override
    public String[] getCapabilities(String name) {
        return find(name).capabilities().toArray(String[]::new);
    }

    private DomainInfo find(String name) {
        return domains.find(name).orElseThrow(() -> new IllegalArgumentException("no domain named '" + name
                + "' (the DomainNames attribute lists them)"));
    }

    private static CompositeData composite(DomainInfo d) {
        Object[] values = {d.name(), d.state().name(), d.exitStatus(), d.origin().name().toLowerCase(), d.rootPid(),
                d.processCount(), d.cgroup(), String.join(" ", d.command()), d.created().toString(), d.log(),
                d.capabilities().toArray(String[]::new)};
        Map<String, Object> items = new HashMap<>();
        for (int i = 0; i < ITEMS.length; i++) {
            items.put(ITEMS[i], values[i]);
        }
        try {
            return new CompositeDataSupport(DOMAIN, items);
        } catch (OpenDataException e) {
            throw new IllegalStateException("domain " + d.name() + " does not fit " + DOMAIN + ": "
                    + Arrays.toString(values), e);
        }
    }
}
