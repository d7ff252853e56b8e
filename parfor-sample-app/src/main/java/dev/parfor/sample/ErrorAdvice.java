package dev.parfor.sample;

import dev.parfor.ParallelForException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Turns bad parameters and failed loops into problem details that say what went wrong. */
@RestControllerAdvice
class ErrorAdvice {

    /** A bad parameter, an unknown engine, or a body the chosen engine refuses: the caller can fix it. */
    @ExceptionHandler({IllegalArgumentException.class, IllegalStateException.class})
    ProblemDetail badRequest(RuntimeException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    /** A loop that failed, timed out or was cancelled. */
    @ExceptionHandler(ParallelForException.class)
    ProblemDetail loopFailed(ParallelForException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
        problem.setProperty("loop", e.loop());
        problem.setProperty("outcome", e.outcome().name());
        return problem;
    }
}
