using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet;

/// <summary>
/// A trained DI-MML model. It scores through ML.NET's own ONNX transformer and conversions, so a saved model
/// loads with Microsoft.ML, Microsoft.ML.OnnxTransformer and Microsoft.ML.OnnxRuntime alone (no TorchSharp).
/// After <c>mlContext.Model.Load</c> the model comes back as a <see cref="TransformerChain{TLastTransformer}"/>,
/// not as this type; <see cref="DiMmlModelInfo"/> reads its DI-MML metadata from the model file.
/// </summary>
public sealed class DiMmlTransformer : ITransformer, ICanSaveModel, IDisposable
{
    private readonly ITransformer scoring;
    private readonly Scoring.OnnxModelFile scoringGraph;
    private readonly byte[] batchedOnnx;

    internal DiMmlTransformer(
        ITransformer scoring, Scoring.OnnxModelFile scoringGraph, byte[] batchedOnnx, DiMmlDiagnostics diagnostics, IReadOnlyList<string> modalityNames, IReadOnlyList<string> classNames)
    {
        this.scoring = scoring;
        this.scoringGraph = scoringGraph;
        this.batchedOnnx = batchedOnnx;
        Diagnostics = diagnostics;
        ModalityNames = modalityNames;
        ClassNames = classNames;
    }

    /// <summary>Training history, per-head accuracies, effective-set sizes and the fusion in use.</summary>
    public DiMmlDiagnostics Diagnostics { get; }

    /// <summary>Modality names, in option order (the order of <see cref="DiMmlColumns.BranchWeights"/>).</summary>
    public IReadOnlyList<string> ModalityNames { get; }

    /// <summary>Class names (the Label's key values) in key order: the order of the <see cref="DiMmlColumns.Score"/> slots.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => scoring.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => scoring.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => scoring.GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => scoring.Transform(input);

    /// <summary>
    /// Writes the standalone ONNX model: one input <c>[N, F_m]</c> per modality named after its column, outputs
    /// <c>Score</c>, <c>Score.{modality}</c>, <c>BranchWeights</c> <c>[N, ·]</c> and <c>PredictedIndex</c> <c>[N, 1]</c>
    /// (0-based class index, −1 when every modality of the row is missing); NaN in a row of an input marks that
    /// modality missing. Metadata (modalities, classes, temperature) is in the model's metadata_props.
    /// </summary>
    /// <param name="stream">Where to write the .onnx bytes.</param>
    public void ExportOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(batchedOnnx);
    }

    /// <summary>Saves the built-in scoring chain; called by <c>mlContext.Model.Save</c>.</summary>
    /// <param name="ctx">ML.NET's save context.</param>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)scoring).Save(ctx);

    /// <summary>Releases the ONNX Runtime session and deletes the temporary model file; the model cannot be saved afterwards.</summary>
    public void Dispose()
    {
        (scoring as IDisposable)?.Dispose();
        scoringGraph.Dispose();
    }
}
