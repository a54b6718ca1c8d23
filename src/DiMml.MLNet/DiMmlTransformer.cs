namespace DiMml;

/// <summary>
/// A trained DI-MML model: certainty-weighted fusion of the per-modality heads and the fusion head (or the fusion head
/// alone, see <see cref="InferenceFusion"/>), scored through ONNX (see <see cref="OnnxScoredTransformer"/>).
/// </summary>
public sealed class DiMmlTransformer : MultimodalModelTransformer
{
    internal DiMmlTransformer(FittedModel fitted, DiMmlDiagnostics diagnostics)
        : base(fitted) => Diagnostics = diagnostics;

    /// <summary>Training history, per-head accuracies, effective-set sizes and the fusion in use.</summary>
    public DiMmlDiagnostics Diagnostics { get; }
}
