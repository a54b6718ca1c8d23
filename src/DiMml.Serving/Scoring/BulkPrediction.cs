using Microsoft.ML.Data;

namespace DiMml;

/// <summary>One row scored by <see cref="BulkScorer"/>.</summary>
public sealed class BulkPrediction
{
    /// <summary>Fused class probabilities, in the order of <see cref="BulkScorer.ClassNames"/> (NaN when every input of the row is
    /// missing).</summary>
    public float[] Score { get; set; } = [];

    /// <summary>Per-row weight of each branch, in the order of <see cref="DiMmlModelInfo.BranchNames"/>.</summary>
    public float[] BranchWeights { get; set; } = [];

    /// <summary>The predicted class name; empty when every input of the row is missing.</summary>
    public string PredictedLabel { get; set; } = "";

    /// <summary>Each modality's own-branch class probabilities (NaN where the modality is missing), in the order of
    /// <see cref="BulkScorer.ModalityNames"/>; empty for models without modality branches (joint baselines). Not a column of
    /// <see cref="BulkScorer.Transform"/>'s view.</summary>
    [NoColumn]
    public float[][] ModalityScores { get; set; } = [];
}
