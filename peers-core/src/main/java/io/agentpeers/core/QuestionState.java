package io.agentpeers.core;

import java.util.Objects;

/**
 * A question and its answer so far.
 *
 * @param question the question as stored now (its state says whether its recipient got it, read it)
 * @param answer   the first message its recipient sent in reply to it, or {@code null} while none came
 */
public record QuestionState(Message question, Message answer) {
    public QuestionState {
        Objects.requireNonNull(question, "question");
    }

    /** Whether the answer came. */
    public boolean answered() {
        return answer != null;
    }
}
