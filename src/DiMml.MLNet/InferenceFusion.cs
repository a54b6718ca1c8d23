namespace DiMml.MLNet;

/// <summary>How a trained DI-MML model turns its branches into one prediction.</summary>
public enum InferenceFusion
{
    /// <summary>Certainty-aware logit weighting of the per-modality heads and the fusion head (the paper's).</summary>
    CertaintyWeighting,

    /// <summary>The fusion head alone: the "no weighting" ablation. Needs a fusion head; Score.{modality} is still output.</summary>
    FusionHeadOnly,
}
