namespace DiMml;

/// <summary>Names of the columns DI-MML models add to the data, and of the outputs of their ONNX graphs: one list for
/// the exporter, the ML.NET scoring pipeline, the bulk scorer and serving code.</summary>
public static class DiMmlColumns
{
    /// <summary>Fused class probabilities (known-size vector of <see cref="float"/>, one slot per class in the Label's key
    /// order).</summary>
    public const string Score = "Score";

    /// <summary>Predicted class, key-typed with the Label's key values; the missing key (0) when every modality of the row is
    /// missing.</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>Per-row weight of each branch: one per modality in option order, then the fusion head.</summary>
    public const string BranchWeights = "BranchWeights";

    /// <summary>What precedes a modality's name in the name of its own branch's score column.</summary>
    public const string ModalityScorePrefix = "Score.";

    /// <summary>The ONNX graphs' 0-based class index (int64), −1 when every branch of the row is missing; the ML.NET
    /// pipeline turns it into <see cref="PredictedLabel"/>.</summary>
    public const string PredictedIndex = "PredictedIndex";

    /// <summary>Prefix of the outputs of the per-row graph a saved ML.NET model holds: internal names, copied to the trainer's
    /// output columns, so a model never hides (and the final DropColumns never removes) a column of the same name made by an
    /// earlier step.</summary>
    public const string GraphOutputPrefix = "DiMml.Graph.";

    /// <summary>Name of the column with modality <paramref name="modalityName"/>'s own-branch probabilities (NaN when that modality is
    /// missing).</summary>
    /// <param name="modalityName">The modality's name.</param>
    public static string ModalityScore(string modalityName) => ModalityScorePrefix + modalityName;
}
