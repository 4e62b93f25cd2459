package io.sinkron.nodes.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

// Proves that the hand-written text checks on the apply path decide exactly what the definitions they replace decide:
// the name and client-id patterns, the JDK's UTF-8 encoder (well-formedness and length), and its decoder.
class WireTextPropertyTest {

    @Property(tries = 3000)
    void nameAndClientIdChecksAgreeWithTheirPatterns(@ForAll("texts") String text) {
        assertThat(LockCommand.isName(text))
                .isEqualTo(LockCommand.NAME.matcher(text).matches());
        assertThat(LockCommand.isClientId(text))
                .isEqualTo(LockCommand.CLIENT_ID.matcher(text).matches());
    }

    @Property(tries = 3000)
    void textCheckAgreesWithTheUtf8Encoder(@ForAll("texts") String text) {
        boolean wellFormed = StandardCharsets.UTF_8.newEncoder().canEncode(text);
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (!wellFormed) {
            assertThatThrownBy(() -> Wire.checkText(text, Integer.MAX_VALUE, "text"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("well-formed");
            return;
        }
        assertThat(Wire.checkText(text, bytes, "text")).isSameAs(text);
        assertThatThrownBy(() -> Wire.checkText(text, bytes - 1, "text")).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 3000)
    void stringsReadBackAsWritten(@ForAll("texts") String text) {
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(text)
                || text.getBytes(StandardCharsets.UTF_8).length > 4000) {
            return;
        }
        byte[] written = new Wire.Writer().string(text, 4000).toByteArray();

        Wire.Reader in = new Wire.Reader(written);
        assertThat(in.string(4000)).isEqualTo(text);
        in.end();
    }

    /** ASCII names and ids, their near misses, and any UTF-16 text including lone surrogates. */
    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("Az09._:/- ;").ofMinLength(0).ofMaxLength(300),
                Arbitraries.strings().ascii().ofMaxLength(40),
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings()
                        .withCharRange('\uD800', '\uDFFF')
                        .withChars("aé€")
                        .ofMaxLength(6));
    }
}
