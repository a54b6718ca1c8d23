namespace DiMml;

/// <summary>What the score columns given to <see cref="CertaintyWeightedFusionEstimator"/> hold.</summary>
public enum ScoreKind
{
    /// <summary>Class probabilities (ML.NET multiclass trainers' Score): fused as log-probabilities.</summary>
    Probabilities,

    /// <summary>Unnormalised class logits: fused as they are (the paper's setting).</summary>
    Logits,
}
