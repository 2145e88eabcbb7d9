package dev.ablation.api.recovery;

/**
 * Where a run diverged.
 *
 * @param step the recovery step of the evaluation that failed
 * @param badLoss the loss seen there (NaN, infinite or above the bound)
 * @param lastGoodLoss the last finite validation loss before it
 */
public record Divergence(long step, double badLoss, double lastGoodLoss) {}
