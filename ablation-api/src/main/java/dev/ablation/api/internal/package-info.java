/**
 * <b>Not API.</b> Bookkeeping the SDK's own builders share across its modules
 * ({@link dev.ablation.api.internal.SetOnce}); public only because Java has no way to share a
 * class with other modules' packages without publishing it. Anything here may change or go away
 * in any release.
 */
package dev.ablation.api.internal;
