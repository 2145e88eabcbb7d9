/**
 * <b>Not API.</b> The recovery loop and its fast path ({@code RecoveryLoop},
 * {@code RecoveryStepper}, {@code ActivationCache}): the machinery under
 * {@code Recovery} (package {@code recovery}), public only because the study engine in
 * another module needs what {@code Recovery} does not express (a model rebuilt around a new
 * encoder, training from scratch, timing single steps against a population). Anything here may
 * change or go away in any release without notice; a recovery starts at
 * {@code Recovery.builder}.
 *
 * <p>It stands on the root, {@code surgery} and {@code train}, and never on {@code recovery},
 * which builds on it.
 */
package dev.ablation.samediff.internal;
