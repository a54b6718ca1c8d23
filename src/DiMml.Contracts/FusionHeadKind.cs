namespace DiMml;

/// <summary>The fusion head: how the per-modality features become class logits (stage 2 of DI-MML, the one head of
/// joint training).</summary>
public enum FusionHeadKind
{
    /// <summary>No fusion head: DI-MML fuses the per-modality branches only; not valid for joint training.</summary>
    None,

    /// <summary><c>Linear(N·D → C)</c> over the concatenated features (the paper's default).</summary>
    Concat,

    /// <summary>Sum of one <c>Linear(D → C)</c> per modality.</summary>
    Sum,

    /// <summary>FiLM: the first modality produces a scale and shift for the second (exactly 2 modalities).</summary>
    Film,

    /// <summary>Gated: a sigmoid gate from the first modality multiplies the second (exactly 2 modalities).</summary>
    Gated,
}
