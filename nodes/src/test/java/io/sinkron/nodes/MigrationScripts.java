package io.sinkron.nodes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The versioned Flyway scripts the node ships, read from the build output, so tests follow new migrations. */
public final class MigrationScripts {

    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__.+\\.sql");

    private MigrationScripts() {}

    /** How many versioned scripts there are. */
    public static int count() {
        try (Stream<Path> files = Files.list(directory())) {
            return (int) files.filter(f -> VERSIONED.matcher(name(f)).matches()).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The highest version among them. */
    public static int latestVersion() {
        try (Stream<Path> files = Files.list(directory())) {
            return files.map(f -> VERSIONED.matcher(name(f)))
                    .filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)))
                    .max()
                    .orElseThrow(() -> new IllegalStateException("no migration scripts in " + directory()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(Path file) {
        return file.getFileName().toString();
    }

    private static Path directory() {
        URL url = MigrationScripts.class.getClassLoader().getResource("db/migration");
        if (url == null || !"file".equals(url.getProtocol())) {
            throw new IllegalStateException("db/migration is not a directory on the test class path: " + url);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
