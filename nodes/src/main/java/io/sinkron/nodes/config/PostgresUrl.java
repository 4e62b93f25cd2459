package io.sinkron.nodes.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A parsed {@code postgresql://user:password@host:port/database?options} URL, the form both the reactive client and
 * this class understand. {@link #toString()} hides the password, so the value may appear in logs and errors.
 *
 * @param host the server's host name or address
 * @param port the server's TCP port (5432 when the URL names none)
 * @param database the database (the user name when the URL names none, as libpq does)
 * @param user the role to log in as ({@code postgres} when the URL names none)
 * @param password the role's password, or {@code null}
 * @param query the URL's query options without {@code ?}, or {@code null}; handed to JDBC unchanged
 */
public record PostgresUrl(String host, int port, String database, String user, String password, String query) {

    private static final int DEFAULT_PORT = 5432;
    private static final String DEFAULT_USER = "postgres";

    public PostgresUrl {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
    }

    /** Parses the URL or says in one line what is wrong with it; {@code property} names where it came from. */
    public static PostgresUrl parse(String property, String url) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw invalid(property, url, e.getReason());
        }
        String scheme = uri.getScheme();
        if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
            throw invalid(property, url, "the scheme must be postgresql://");
        }
        if (uri.getHost() == null) {
            throw invalid(property, url, "it names no host");
        }
        String user = DEFAULT_USER;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (database.contains("/")) {
            throw invalid(property, url, "the path must be just the database name");
        }
        if (database.isEmpty()) {
            database = user;
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        return new PostgresUrl(uri.getHost(), port, database, user, password, uri.getRawQuery());
    }

    /** The JDBC URL of the same server and database; user and password travel as connection properties. */
    public String jdbcUrl() {
        String base = "jdbc:postgresql://" + hostForUrl() + ":" + port + "/" + database;
        return query == null || query.isEmpty() ? base : base + "?" + query;
    }

    /** {@code host:port}, for messages. */
    public String address() {
        return hostForUrl() + ":" + port;
    }

    @Override
    public String toString() {
        String credentials = password == null ? user : user + ":***";
        String base = "postgresql://" + credentials + "@" + address() + "/" + database;
        return query == null || query.isEmpty() ? base : base + "?" + query;
    }

    private String hostForUrl() {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    private static InvalidConfigurationException invalid(String property, String url, String why) {
        String shown = url.replaceAll("(//[^:/@]*:)[^@]*@", "$1***@");
        return new InvalidConfigurationException(property + " '" + shown + "' is not a PostgreSQL URL: " + why
                + " (expected postgresql://user:password@host:port/database)");
    }
}
