namespace DiMml.MLNet.Scoring;

/// <summary>The columns a trained multimodal model adds, as its trainer's options name them.</summary>
/// <param name="Score">Fused class probabilities.</param>
/// <param name="PredictedLabel">The key-typed prediction.</param>
/// <param name="BranchWeights">Per-row branch weights.</param>
/// <param name="ModalityScorePrefix">Put before a modality's name for its own branch's probabilities.</param>
internal sealed record OutputColumnNames(string Score, string PredictedLabel, string BranchWeights, string ModalityScorePrefix)
{
    /// <summary>Every column name, the modality scores' included.</summary>
    public IEnumerable<string> All(IEnumerable<string> modalityNames) =>
        new[] { Score, PredictedLabel, BranchWeights }.Concat(modalityNames.Select(m => ModalityScorePrefix + m));
}
