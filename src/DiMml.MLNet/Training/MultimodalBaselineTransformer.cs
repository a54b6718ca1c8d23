namespace DiMml;

/// <summary>
/// A trained baseline (joint training of all modalities, or one modality alone) with the same output columns as
/// DI-MML (<c>Score</c>, <c>PredictedLabel</c>, <c>BranchWeights</c>, and <c>Score.{modality}</c> for one modality),
/// scored through ONNX (see <see cref="OnnxScoredTransformer"/>).
/// </summary>
public sealed class MultimodalBaselineTransformer : MultimodalModelTransformer
{
    internal MultimodalBaselineTransformer(FittedModel fitted, BaselineDiagnostics diagnostics)
        : base(fitted) => Diagnostics = diagnostics;

    /// <summary>Training history, accuracies and each encoder's linear-probe accuracy.</summary>
    public BaselineDiagnostics Diagnostics { get; }
}
