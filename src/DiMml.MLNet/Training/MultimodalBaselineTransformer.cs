using DiMml.MLNet.Scoring;

namespace DiMml.MLNet;

/// <summary>
/// A trained baseline (joint training of all modalities, or one modality alone) with the same output columns as
/// DI-MML (<c>Score</c>, <c>PredictedLabel</c>, <c>BranchWeights</c>, and <c>Score.{modality}</c> for one modality),
/// scored through ONNX (see <see cref="OnnxScoredTransformer"/>).
/// </summary>
public sealed class MultimodalBaselineTransformer : OnnxScoredTransformer
{
    internal MultimodalBaselineTransformer(FittedModel fitted, BaselineDiagnostics diagnostics)
        : base(fitted.Scoring, fitted.ScoringGraph, fitted.StandaloneGraph)
    {
        Diagnostics = diagnostics;
        ModalityNames = fitted.ModalityNames;
        ClassNames = fitted.ClassNames;
    }

    /// <summary>Training history, accuracies and each encoder's linear-probe accuracy.</summary>
    public BaselineDiagnostics Diagnostics { get; }

    /// <summary>Modality names, in option order.</summary>
    public IReadOnlyList<string> ModalityNames { get; }

    /// <summary>Class names in the order of the Score slots.</summary>
    public IReadOnlyList<string> ClassNames { get; }
}
