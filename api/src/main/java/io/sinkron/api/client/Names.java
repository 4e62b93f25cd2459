package io.sinkron.api.client;

import java.util.regex.Pattern;

/** Validation of the names and ids the contract restricts, and their place in request paths. Pure helpers. */
final class Names {

    /** Lock names: 1–256 of {@code [A-Za-z0-9._:/-]} (DESIGN.md §7). */
    static final int NAME_LENGTH_MAX = 256;

    /** The contract's bound on {@code Sinkron-Client-Id}. */
    static final int CLIENT_ID_HEADER_LENGTH_MAX = 128;

    /** Room kept for the lane suffix the client appends ({@code .} and up to four digits). */
    static final int CLIENT_ID_LENGTH_MAX = CLIENT_ID_HEADER_LENGTH_MAX - 5;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:/-]{1," + NAME_LENGTH_MAX + "}");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1," + CLIENT_ID_LENGTH_MAX + "}");
    private static final Pattern SESSION_ID = Pattern.compile("[1-9][0-9]{0,18}");

    private Names() {}

    static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "a lock name is 1-" + NAME_LENGTH_MAX + " of [A-Za-z0-9._:/-], was '" + name + "'");
        }
        return name;
    }

    static String requireClientId(String clientId) {
        if (clientId == null || !CLIENT_ID.matcher(clientId).matches()) {
            throw new IllegalArgumentException(
                    "a client id is 1-" + CLIENT_ID_LENGTH_MAX + " of [A-Za-z0-9._:-], was '" + clientId + "'");
        }
        return clientId;
    }

    /** Whether a session id is the decimal string of a positive 63-bit number, as the contract promises. */
    static boolean isSessionId(String id) {
        if (id == null || !SESSION_ID.matcher(id).matches()) {
            return false;
        }
        try {
            return Long.parseLong(id) > 0;
        } catch (NumberFormatException e) {
            return false; // 19 digits beyond Long.MAX_VALUE
        }
    }

    /**
     * A valid lock name as path segments. Every allowed character may stand in a path as it is, '/' included, except
     * that a segment of only dots would be removed by path normalisation (RFC 3986 §5.2.4) on the way to the
     * resource, so its dots are percent-encoded.
     */
    static String pathOf(String name) {
        StringBuilder path = new StringBuilder(name.length() + 8);
        for (String segment : name.split("/", -1)) {
            if (!path.isEmpty()) {
                path.append('/');
            }
            path.append(segment.equals(".") || segment.equals("..") ? segment.replace(".", "%2E") : segment);
        }
        return path.toString();
    }
}
