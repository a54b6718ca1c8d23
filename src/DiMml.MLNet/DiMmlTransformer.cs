using DiMml.MLNet.Scoring;
using Microsoft.ML;

namespace DiMml.MLNet;

/// <summary>
/// A trained DI-MML model: certainty-weighted fusion of the per-modality heads and the fusion head, scored through
/// ONNX (see <see cref="OnnxScoredTransformer"/>).
/// </summary>
public sealed class DiMmlTransformer : OnnxScoredTransformer
{
    internal DiMmlTransformer(FittedModel fitted, DiMmlDiagnostics diagnostics)
        : base(fitted.Scoring, fitted.ScoringGraph, fitted.StandaloneGraph)
    {
        Diagnostics = diagnostics;
        ModalityNames = fitted.ModalityNames;
        ClassNames = fitted.ClassNames;
    }

    /// <summary>Training history, per-head accuracies, effective-set sizes and the fusion in use.</summary>
    public DiMmlDiagnostics Diagnostics { get; }

    /// <summary>Modality names, in option order (the order of <see cref="DiMmlColumns.BranchWeights"/>).</summary>
    public IReadOnlyList<string> ModalityNames { get; }

    /// <summary>Class names (the Label's key values) in key order: the order of the <see cref="DiMmlColumns.Score"/> slots.</summary>
    public IReadOnlyList<string> ClassNames { get; }
}
