package io.sinkron.api.cluster;

import java.util.Objects;

/**
 * One member as the answering node sees it.
 *
 * @param id the member's node id, e.g. {@code n2}
 * @param url the member's base HTTP URL, e.g. {@code http://127.0.0.1:8082}
 * @param alive whether the member answered its most recent liveness probe (the answering node is always alive)
 * @param lastSeenMs when the member last answered a probe, in milliseconds since the Unix epoch; {@code null} if it
 *     never has since the answering node started
 * @param phi the phi-accrual suspicion of the member (Hayashibara et al.), fed by the messages it sends; 0 for the
 *     answering node and before the member sent anything, about 8 and above means suspected
 */
public record MemberView(String id, String url, boolean alive, Long lastSeenMs, double phi) {

    public MemberView {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
    }
}
