package io.sinkron.nodes.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request bodies are read strictly (docs/api.md: a body is one JSON object of the documented shape): nothing after
 * the value ({@code {...} x}), no field twice (Jackson would keep the last, or fail on a record), and no scalar taken
 * for another type ({@code "10"} or {@code 1.5} is not a number of milliseconds, {@code 123} is not a session id,
 * which is a string). Such a body fails in Jackson and {@link ProblemMappers} answers 400 {@code malformed-request}
 * before anything is proposed. Unknown fields are refused by {@code quarkus.jackson.fail-on-unknown-properties}.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        refuse(mapper, LogicalType.Integer, CoercionInputShape.String, CoercionInputShape.EmptyString);
        refuse(mapper, LogicalType.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean);
        refuse(mapper, LogicalType.Float, CoercionInputShape.String, CoercionInputShape.EmptyString);
        refuse(mapper, LogicalType.Float, CoercionInputShape.Boolean);
        refuse(mapper, LogicalType.Boolean, CoercionInputShape.String, CoercionInputShape.EmptyString);
        refuse(mapper, LogicalType.Boolean, CoercionInputShape.Integer, CoercionInputShape.Float);
        refuse(mapper, LogicalType.Textual, CoercionInputShape.Integer, CoercionInputShape.Float);
        refuse(mapper, LogicalType.Textual, CoercionInputShape.Boolean);
    }

    private static void refuse(ObjectMapper mapper, LogicalType target, CoercionInputShape... inputs) {
        for (CoercionInputShape input : inputs) {
            mapper.coercionConfigFor(target).setCoercion(input, CoercionAction.Fail);
        }
    }
}
