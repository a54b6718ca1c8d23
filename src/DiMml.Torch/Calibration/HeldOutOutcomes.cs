namespace DiMml.Torch.Calibration;

/// <summary>What a fusion choice is made from: per candidate, whether each held-out row was predicted right (cross-fitted).</summary>
/// <param name="Correct">Per candidate, per held-out row.</param>
/// <param name="RowWeights">The rows' example weights; null when every row weighs 1.</param>
internal sealed record HeldOutOutcomes(IReadOnlyList<bool[]> Correct, double[]? RowWeights);
