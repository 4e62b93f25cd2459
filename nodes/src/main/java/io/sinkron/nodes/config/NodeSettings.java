package io.sinkron.nodes.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The node's configuration after validation: every value checked, defaults filled in, units converted. Built once at
 * start-up by {@link #from}; a problem is an {@link InvalidConfigurationException} naming the property.
 *
 * @param selfId this node's id
 * @param peers the static membership in configuration order, this node included
 * @param dataDir the node's own directory, absolute
 * @param storage where PostgreSQL is
 * @param probeInterval how often peers are probed
 * @param probeTimeout how long one probe may take
 */
public record NodeSettings(
        String selfId,
        List<Peer> peers,
        Path dataDir,
        StorageSettings storage,
        Duration probeInterval,
        Duration probeTimeout) {

    /** Node ids: what fits in a metric tag, a file name and a URL segment without escaping. */
    static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /** More members than this is a configuration mistake, not a cluster (every member probes every other). */
    static final int PEER_COUNT_MAX = 64;

    static final Duration PROBE_DURATION_MAX = Duration.ofMinutes(1);

    public NodeSettings {
        Objects.requireNonNull(selfId, "selfId");
        peers = List.copyOf(peers);
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(storage, "storage");
        if (peers.stream().noneMatch(p -> p.id().equals(selfId))) {
            throw new IllegalArgumentException("self " + selfId + " is not among the peers " + peers);
        }
    }

    /** This node's own entry in {@link #peers()}. */
    public Peer self() {
        return peers.stream().filter(p -> p.id().equals(selfId)).findFirst().orElseThrow();
    }

    /** Every member except this node, in configuration order. */
    public List<Peer> others() {
        return peers.stream().filter(p -> !p.id().equals(selfId)).toList();
    }

    /**
     * Validates the raw configuration.
     *
     * @param config the raw values
     * @param httpPort the node's HTTP port, for the default membership of one
     */
    public static NodeSettings from(SinkronConfig config, int httpPort) {
        String selfId = config.node()
                .id()
                .map(String::strip)
                .orElseThrow(() -> new InvalidConfigurationException(
                        "sinkron.node.id is not set; give every node its id, e.g. -Dsinkron.node.id=n1"
                                + " or SINKRON_NODE_ID=n1"));
        requireNodeId("sinkron.node.id", selfId);

        List<Peer> peers = config.node()
                .peers()
                .map(PeerList::parse)
                .orElseGet(() -> List.of(new Peer(selfId, URI.create("http://127.0.0.1:" + httpPort))));
        if (peers.stream().noneMatch(p -> p.id().equals(selfId))) {
            throw new InvalidConfigurationException("sinkron.node.id '" + selfId + "' is not in sinkron.node.peers ("
                    + String.join(", ", peers.stream().map(Peer::id).toList()) + ")");
        }

        Path dataDir = dataDir(config.node().dataDir().orElse("data/" + selfId));
        SinkronConfig.Postgres postgres = config.postgres();
        Duration connectTimeout = positive("sinkron.postgres.connect-timeout", postgres.connectTimeout());
        StorageSettings storage = postgres.url()
                .filter(url -> !url.isBlank())
                .<StorageSettings>map(url ->
                        new StorageSettings.External(PostgresUrl.parse("sinkron.postgres.url", url), connectTimeout))
                .orElseGet(() -> new StorageSettings.Embedded(
                        dataDir.resolve("pg"),
                        port("sinkron.postgres.embedded-port", postgres.embeddedPort()),
                        connectTimeout));

        Duration interval = probeDuration(
                "sinkron.membership.probe-interval", config.membership().probeInterval());
        Duration timeout = probeDuration(
                "sinkron.membership.probe-timeout", config.membership().probeTimeout());
        return new NodeSettings(selfId, peers, dataDir, storage, interval, timeout);
    }

    static void requireNodeId(String property, String id) {
        if (!NODE_ID.matcher(id).matches()) {
            throw new InvalidConfigurationException(property + " '" + id
                    + "' is not a node id (1-63 of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
        }
    }

    private static Path dataDir(String value) {
        try {
            return Path.of(value.strip()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new InvalidConfigurationException(
                    "sinkron.node.data-dir '" + value + "' is not a path: " + e.getReason());
        }
    }

    private static int port(String property, int port) {
        if (port < 1 || port > 65535) {
            throw new InvalidConfigurationException(property + " " + port + " is not a TCP port (1-65535)");
        }
        return port;
    }

    private static Duration positive(String property, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new InvalidConfigurationException(property + " must be positive, was " + value);
        }
        return value;
    }

    private static Duration probeDuration(String property, Duration value) {
        positive(property, value);
        if (value.compareTo(PROBE_DURATION_MAX) > 0) {
            throw new InvalidConfigurationException(
                    property + " must be at most " + PROBE_DURATION_MAX.toSeconds() + "s, was " + value);
        }
        return value;
    }

    /** Parsing of {@code id=url,id=url}. */
    static final class PeerList {

        private PeerList() {}

        static List<Peer> parse(String list) {
            String property = "sinkron.node.peers";
            if (list.isBlank()) {
                throw new InvalidConfigurationException(
                        property + " is empty; list every member as id=url, e.g. n1=http://127.0.0.1:8081");
            }
            String[] entries = list.split(",", -1);
            if (entries.length > PEER_COUNT_MAX) {
                throw new InvalidConfigurationException(property + " lists " + entries.length + " members; at most "
                        + PEER_COUNT_MAX + " are supported");
            }
            List<Peer> peers = new ArrayList<>(entries.length);
            Set<String> ids = new HashSet<>();
            Set<URI> urls = new HashSet<>();
            for (String raw : entries) {
                Peer peer = parseEntry(property, raw.strip());
                if (!ids.add(peer.id())) {
                    throw new InvalidConfigurationException(property + " lists '" + peer.id() + "' twice");
                }
                if (!urls.add(peer.url())) {
                    throw new InvalidConfigurationException(property + " gives two members the same URL " + peer.url());
                }
                peers.add(peer);
            }
            return peers;
        }

        private static Peer parseEntry(String property, String entry) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new InvalidConfigurationException(
                        property + ": entry '" + entry + "' is not id=url (e.g. n1=http://127.0.0.1:8081)");
            }
            String id = entry.substring(0, eq).strip();
            requireNodeId(property, id);
            return new Peer(id, baseUrl(property, id, entry.substring(eq + 1).strip()));
        }

        private static URI baseUrl(String property, String id, String value) {
            if (!value.startsWith("http://") && !value.startsWith("https://")) {
                throw badUrl(property, id, value, "the scheme must be http:// or https://");
            }
            URI url;
            try {
                url = new URI(value);
            } catch (URISyntaxException e) {
                throw badUrl(property, id, value, e.getReason());
            }
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                throw badUrl(property, id, value, "the scheme must be http:// or https://");
            }
            if (url.getHost() == null) {
                throw badUrl(property, id, value, "it names no host");
            }
            if (url.getPort() < 1) {
                throw badUrl(property, id, value, "it names no port");
            }
            String path = url.getPath() == null ? "" : url.getPath();
            if (!path.isEmpty() && !path.equals("/") || url.getQuery() != null || url.getFragment() != null) {
                throw badUrl(property, id, value, "it must be a base URL, scheme://host:port");
            }
            return URI.create(url.getScheme() + "://" + url.getRawAuthority());
        }

        private static InvalidConfigurationException badUrl(String property, String id, String value, String why) {
            return new InvalidConfigurationException(
                    property + ": the URL of '" + id + "' ('" + value + "') is not usable: " + why);
        }
    }
}
