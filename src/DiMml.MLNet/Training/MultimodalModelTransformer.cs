using Microsoft.ML.OnnxRuntime;

namespace DiMml;

/// <summary>A trained multimodal model of this package (DI-MML or a baseline), scored through ONNX.</summary>
public abstract class MultimodalModelTransformer : OnnxScoredTransformer
{
    private protected MultimodalModelTransformer(FittedModel fitted)
        : base(fitted.Scoring, fitted.ScoringGraph, fitted.StandaloneGraph)
    {
        ModalityNames = fitted.ModalityNames;
        ClassNames = fitted.ClassNames;
    }

    /// <summary>Modality names, in option order (the order of <see cref="DiMmlColumns.BranchWeights"/>).</summary>
    public IReadOnlyList<string> ModalityNames { get; }

    /// <summary>Class names (the Label's key values) in key order: the order of the <see cref="DiMmlColumns.Score"/> slots.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>A <see cref="BulkScorer"/> over this model's batched graph (<see cref="OnnxScoredTransformer.ExportOnnx"/>).</summary>
    /// <param name="options">ONNX Runtime session settings (threads, execution provider); null for the defaults.</param>
    public BulkScorer CreateBulkScorer(SessionOptions? options = null)
    {
        using var stream = new MemoryStream();
        ExportOnnx(stream);
        return new BulkScorer(stream.ToArray(), options);
    }
}
