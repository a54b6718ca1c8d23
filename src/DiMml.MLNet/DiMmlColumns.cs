namespace DiMml.MLNet;

/// <summary>Names of the columns DI-MML models add to the data.</summary>
public static class DiMmlColumns
{
    /// <summary>Fused class probabilities (known-size vector of <see cref="float"/>, one slot per class in the Label's key order).</summary>
    public const string Score = "Score";

    /// <summary>Predicted class, key-typed with the Label's key values; the missing key (0) when every modality of the row is missing.</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>Per-row weight of each branch: one per modality in option order, then the fusion head.</summary>
    public const string BranchWeights = "BranchWeights";

    /// <summary>Name of the column with modality <paramref name="modalityName"/>'s own-head probabilities (NaN when that modality is missing).</summary>
    /// <param name="modalityName">The modality's <see cref="ModalityOptions.EffectiveName"/>.</param>
    public static string ModalityScore(string modalityName) => $"Score.{modalityName}";
}
