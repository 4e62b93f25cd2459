package io.sinkron.nodes.lock;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

// Proves that decoding is total and canonical over arbitrary bytes: it either throws IllegalArgumentException or
// yields a command whose encoding is exactly the input, so replicas can never disagree about what an entry says.
class LockCodecPropertyTest {

    @Property(tries = 2000)
    void decodingArbitraryBytesIsCanonicalOrRefused(@ForAll("commandLikeBytes") byte[] bytes) {
        LockCommand command;
        try {
            command = LockCommand.decode(bytes);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(command.encode()).isEqualTo(bytes);
    }

    @Property(tries = 500)
    void decodingArbitraryReplyBytesIsCanonicalOrRefused(@ForAll("replyLikeBytes") byte[] bytes) {
        LockReply reply;
        try {
            reply = LockReply.decode(bytes);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(reply.encode()).isEqualTo(bytes);
    }

    /** Mutations of real commands, so many reach deep into the layout, plus plain noise. */
    @Provide
    Arbitrary<byte[]> commandLikeBytes() {
        return mutationsOf(
                LockCodecTest.COMMANDS.stream().map(LockCommand::encode).toList());
    }

    @Provide
    Arbitrary<byte[]> replyLikeBytes() {
        return mutationsOf(LockCodecTest.REPLIES.stream().map(LockReply::encode).toList());
    }

    private static Arbitrary<byte[]> mutationsOf(java.util.List<byte[]> seeds) {
        Arbitrary<byte[]> mutated = Arbitraries.of(seeds).flatMap(seed -> Arbitraries.integers()
                .between(0, seed.length - 1)
                .tuple3()
                .map(t -> {
                    byte[] copy = seed.clone();
                    copy[t.get1()] = (byte) (copy[t.get1()] + t.get2() + 1);
                    return t.get3() % 3 == 0 ? java.util.Arrays.copyOf(copy, t.get3()) : copy;
                }));
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        return Arbitraries.oneOf(mutated, noise, Arbitraries.of(seeds));
    }
}
