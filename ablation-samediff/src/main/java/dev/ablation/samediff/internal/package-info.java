/**
 * <b>Not API.</b> The recovery loop ({@code RecoveryLoop}) and the per-step copies of the
 * trainable weights that resolve {@code T_ε} to the step ({@code StepCopies}): the machinery
 * under {@code Recovery} (package {@code recovery}), which alone calls it; the loop's classes
 * are public only because Java has no way to share them with one other package.
 * {@code OneDoorTest} (ablation-examples) fails when code outside {@code recovery} reaches this
 * package. Anything here may change or go away in any release; a recovery starts at
 * {@code Recovery.builder}, whether it wipes, follows the caller's own surgery or trains from
 * scratch. The single-step machinery the benches time is {@code train.RecoveryStepper}.
 *
 * <p>It stands on the root, {@code surgery} and {@code train}, and never on {@code recovery},
 * which builds on it.
 */
package dev.ablation.samediff.internal;
