namespace DiMml;

/// <summary>Which procedure trained a model, and so how it predicts; saved models record it (the <c>dimml.kind</c> metadata).</summary>
public enum ModelKind
{
    /// <summary>DI-MML: certainty-weighted fusion of the modality heads and the fusion head (if any).</summary>
    DiMml,

    /// <summary>Joint training: the fusion head alone.</summary>
    Joint,

    /// <summary>One modality: its modality head alone.</summary>
    Unimodal,

    /// <summary>DI-MML trained as usual, predicting with its fusion head alone (the "no weighting" ablation).</summary>
    FusionHeadOnly,
}
