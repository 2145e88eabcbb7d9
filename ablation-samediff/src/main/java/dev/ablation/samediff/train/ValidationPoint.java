package dev.ablation.samediff.train;

/**
 * One evaluation while training the original.
 *
 * @param step optimiser steps taken before it
 * @param examples training strings consumed before it
 * @param tokens predicted training tokens consumed before it
 * @param trainLoss mean training loss of the steps since the previous point (NaN at step 0)
 * @param validationLoss validation loss, nats per predicted token
 */
public record ValidationPoint(long step, long examples, long tokens, double trainLoss,
    double validationLoss) {}
