namespace DiMml;

/// <summary>What <c>POST {prefix}/predict</c> answers: one prediction per row, in request order.</summary>
/// <param name="Predictions">The rows' predictions.</param>
/// <param name="Model">SHA-256 of the model file that scored them.</param>
public sealed record PredictionResponse(IReadOnlyList<RowPrediction> Predictions, string Model);

/// <summary>One row's prediction.</summary>
/// <param name="Label">The predicted class; null when every modality of the row is missing.</param>
/// <param name="Probabilities">Fused class probabilities by class name; null when every modality is missing.</param>
/// <param name="Branches">Each modality's own-branch probabilities by class name; null for a missing modality.</param>
/// <param name="BranchWeights">The weight of each branch (modalities, then the fusion head when the model has one).</param>
public sealed record RowPrediction(
    string? Label,
    IReadOnlyDictionary<string, float>? Probabilities,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, float>?> Branches,
    IReadOnlyDictionary<string, float> BranchWeights)
{
    /// <summary>The response row of <paramref name="prediction"/> under <paramref name="card"/>'s names.</summary>
    internal static RowPrediction From(BulkPrediction prediction, ModelCard card)
    {
        IReadOnlyDictionary<string, float>? ByClass(float[] values) =>
            values.Length == 0 || values.Any(float.IsNaN) ? null : card.Classes.Select((c, i) => (c, values[i])).ToDictionary();
        var branches = card.Modalities.Select((m, i) => (m.Name,
            i < prediction.ModalityScores.Length ? ByClass(prediction.ModalityScores[i]) : null)).ToDictionary();
        var weights = prediction.BranchWeights.Select((w, i) => (i < card.Branches.Count ? card.Branches[i] : $"branch{i}", w))
            .ToDictionary();
        return new RowPrediction(prediction.PredictedLabel.Length == 0 ? null : prediction.PredictedLabel, ByClass(prediction.Score),
            branches, weights);
    }
}
