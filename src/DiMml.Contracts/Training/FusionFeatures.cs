namespace DiMml;

/// <summary>What the fusion head trains on in stage 2, where the encoders are frozen (eval mode, no gradient).</summary>
public enum FusionFeatures
{
    /// <summary>The training rows encoded once, without augmentation, reused every epoch: fast, and the same as the
    /// authors' stage 2 when no modality is augmented.</summary>
    EncodedOnce,

    /// <summary>Every stage-2 batch augmented as in stage 1 and encoded afresh, as the authors' stage 2 does (it reads
    /// the training loader with its training transforms); costs one encoder forward pass per row and epoch.</summary>
    AugmentedBatches,
}
