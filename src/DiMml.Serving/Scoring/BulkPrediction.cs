namespace DiMml.Serving;

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
}
