namespace DiMml.MLNet;

/// <summary>The fusion head trained in stage 2 on the frozen encoders' features.</summary>
public enum FusionHeadKind
{
    /// <summary>No fusion head: only the per-modality heads are weighted.</summary>
    None,

    /// <summary>Linear layer over the concatenated features (the paper's default).</summary>
    Concat,

    /// <summary>Sum of one linear layer per modality.</summary>
    Sum,

    /// <summary>FiLM: the first modality scales and shifts the second. Exactly 2 modalities.</summary>
    Film,

    /// <summary>Gated: a sigmoid gate from the first modality multiplies the second. Exactly 2 modalities.</summary>
    Gated,
}
