namespace DiMml;

/// <summary>Which training procedure produced an epoch record.</summary>
public enum TrainingStage
{
    /// <summary>DI-MML stage 1: detached per-modality training with shared head and DUC.</summary>
    Detached,

    /// <summary>DI-MML stage 2: the fusion head on frozen encoders.</summary>
    Fusion,

    /// <summary>Joint-training baseline: one CE loss on the fused logits.</summary>
    Joint,

    /// <summary>Unimodal baseline: one encoder and its head.</summary>
    Unimodal,
}
