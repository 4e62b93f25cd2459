package io.sinkron.nodes.locks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** JSON of lock views, made on the driver thread inside a read (so the view never leaves it as a live object). */
final class LockJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<LockApi.LockBody>> LIST = new TypeReference<>() {};

    private LockJson() {}

    static byte[] encode(LockApi.LockBody body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] encodeList(List<LockApi.LockBody> bodies) {
        try {
            return JSON.writeValueAsBytes(bodies);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<LockApi.LockBody> decodeList(byte[] bytes) {
        try {
            return JSON.readValue(bytes, LIST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
